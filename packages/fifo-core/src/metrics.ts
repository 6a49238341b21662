// One prom-client registry per worker (several workers may share a process in
// tests), plus a plain snapshot object the RunningWorker exposes.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface WorkerMetricsSnapshot {
  received: number;
  handled: number;
  failed: number;
  invalid: number;
  inFlight: number;
  reconciled: number;
  relayed: number;
  rolledBack: number;
}

export interface WorkerMetrics {
  registry: Registry;
  snapshot: WorkerMetricsSnapshot;
  received(): void;
  invalid(reason: string): void;
  relayed(n: number): void;
  /** Call at handler start; the returned function records the outcome and latency. */
  handlerStart(): (outcome: 'handled' | 'failed' | 'permanent') => void;
  reconciled(fixed: number): void;
  /** A row never became visible (the handler threw RolledBackError). */
  rolledBack(): void;
  /** Queue mode: async depth provider for the queue_depth gauge. */
  setQueueDepth(fn: () => Promise<Record<string, number>>): void;
}

export function createMetrics(worker: string): WorkerMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ worker });
  const snapshot: WorkerMetricsSnapshot = { received: 0, handled: 0, failed: 0, invalid: 0, inFlight: 0, reconciled: 0, relayed: 0, rolledBack: 0 };
  const c = (name: string, help: string, labelNames: string[] = []) => new Counter({ name, help, labelNames, registers: [registry] });
  const received = c('dbfifo_lines_received_total', 'Lines taken off the pipe');
  const handled = c('dbfifo_messages_handled_total', 'Messages a handler finished without error');
  const failed = c('dbfifo_messages_failed_total', 'Handler errors', ['kind']);
  const invalid = c('dbfifo_lines_invalid_total', 'Lines refused before the handler (too long, not UTF-8, schema)', ['reason']);
  const relayed = c('dbfifo_lines_relayed_total', 'Lines relayed into the queue (queue mode)');
  const reconciled = c('dbfifo_reconcile_fixed_total', 'Things reconcile found out of line and fixed');
  const rolledBack = c('dbfifo_rows_rolled_back_total', 'Messages whose row never became visible');
  const inFlight = new Gauge({ name: 'dbfifo_in_flight', help: 'Handlers running now', registers: [registry] });
  const latency = new Histogram({
    name: 'dbfifo_handler_seconds',
    // No labels: observing a labelled histogram costs a label hash per message on the hot path;
    // outcomes are counted by handled/failed{kind}.
    help: 'Handler run time (all outcomes)',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  let depth: (() => Promise<Record<string, number>>) | undefined;
  new Gauge({
    name: 'dbfifo_queue_depth',
    help: 'Jobs in the BullMQ queue by state (queue mode)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      if (!depth) return;
      this.reset();
      const counts = await depth().catch(() => undefined);
      for (const [state, n] of Object.entries(counts ?? {})) this.set({ state }, n);
    },
  });

  return {
    registry,
    snapshot,
    received() {
      snapshot.received++;
      received.inc();
    },
    invalid(reason) {
      snapshot.invalid++;
      invalid.inc({ reason });
    },
    relayed(n) {
      snapshot.relayed += n;
      relayed.inc(n);
    },
    handlerStart() {
      snapshot.inFlight++;
      inFlight.inc();
      const t0 = performance.now();
      return (outcome) => {
        snapshot.inFlight--;
        inFlight.dec();
        latency.observe((performance.now() - t0) / 1000);
        if (outcome === 'handled') {
          snapshot.handled++;
          handled.inc();
        } else {
          snapshot.failed++;
          failed.inc({ kind: outcome });
        }
      };
    },
    reconciled(fixed) {
      snapshot.reconciled += fixed;
      reconciled.inc(fixed);
    },
    rolledBack() {
      snapshot.rolledBack++;
      rolledBack.inc();
    },
    setQueueDepth(fn) {
      depth = fn;
    },
  };
}
