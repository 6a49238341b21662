// One prom-client registry per worker (several workers may share a process in
// tests), plus a plain snapshot object the RunningWorker exposes.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CatchUpReason } from './catch-up.ts';

export interface WorkerMetricsSnapshot {
  received: number;
  handled: number;
  failed: number;
  invalid: number;
  inFlight: number;
  reconciled: number;
  relayed: number;
  rolledBack: number;
  /** Doorbells merged into a pending message with the same key. */
  merged: number;
  /** Doorbells not tracked (over DBFIFO_PENDING_MAX, or while a catch-up was due): caught up from the rows. */
  dropped: number;
  /** Handler calls (a batch, or one message). */
  batches: number;
  /** Catch-ups requested (see catch-up.ts for the reasons). */
  catchUps: number;
  /** Messages pending now. */
  pending: number;
}

export type Outcome = 'handled' | 'failed' | 'permanent' | 'rolled_back';

export interface WorkerMetrics {
  registry: Registry;
  snapshot: WorkerMetricsSnapshot;
  /** Lines taken off the pipe (counted per read). */
  received(n: number): void;
  invalid(reason: string): void;
  relayed(n: number): void;
  merged(): void;
  dropped(): void;
  catchUp(reason: CatchUpReason): void;
  /** Call when a handler call starts with `size` messages; the returned function records the duration. */
  batchStart(size: number): () => void;
  /** One message's outcome. */
  outcome(o: Outcome): void;
  reconciled(fixed: number): void;
  /** How many messages are pending (read when scraped and by the snapshot). */
  setPending(fn: () => number): void;
  /** Queue mode: async depth provider for the queue_depth gauge. */
  setQueueDepth(fn: () => Promise<Record<string, number>>): void;
}

/** `batchCalls`: the worker has a batch handler (its batch sizes are worth a histogram). */
export function createMetrics(worker: string, batchCalls = false): WorkerMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ worker });
  let pendingNow: () => number = () => 0;
  const snapshot: WorkerMetricsSnapshot = {
    received: 0, handled: 0, failed: 0, invalid: 0, inFlight: 0, reconciled: 0, relayed: 0, rolledBack: 0,
    merged: 0, dropped: 0, batches: 0, catchUps: 0,
    get pending() {
      return pendingNow();
    },
  };
  const c = (name: string, help: string, labelNames: string[] = []) => new Counter({ name, help, labelNames, registers: [registry] });
  const received = c('dbfifo_lines_received_total', 'Lines taken off the pipe');
  const handled = c('dbfifo_messages_handled_total', 'Messages a handler finished without error');
  const failed = c('dbfifo_messages_failed_total', 'Handler errors', ['kind']);
  const invalid = c('dbfifo_lines_invalid_total', 'Lines refused before the handler (too long, not UTF-8, schema)', ['reason']);
  const relayed = c('dbfifo_lines_relayed_total', 'Lines relayed into the queue (queue mode)');
  const reconciled = c('dbfifo_reconcile_fixed_total', 'Things reconcile found out of line and fixed');
  const rolledBack = c('dbfifo_rows_rolled_back_total', 'Messages whose row never became visible');
  const merged = c('dbfifo_doorbells_merged_total', 'Doorbells merged into a pending message with the same key');
  const dropped = c('dbfifo_doorbells_dropped_total', 'Doorbells not tracked (pending set full or a catch-up due): caught up from the rows');
  const catchUps = c('dbfifo_catchup_total', 'Catch-ups from the rows requested because doorbells may have been lost', ['reason']);
  const inFlight = new Gauge({ name: 'dbfifo_in_flight', help: 'Messages being handled now', registers: [registry] });
  new Gauge({
    name: 'dbfifo_pending',
    help: 'Messages taken off the pipe and not handled yet',
    registers: [registry],
    collect() {
      this.set(pendingNow());
    },
  });
  const latency = new Histogram({
    name: 'dbfifo_handler_seconds',
    // No labels: observing a labelled histogram costs a label hash per call on the hot path;
    // outcomes are counted by handled/failed{kind}.
    help: 'Handler call time (a batch or one message, all outcomes)',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'dbfifo_batch_size',
    help: 'Messages per handler call',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000],
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
    received(n) {
      snapshot.received += n;
      received.inc(n);
    },
    invalid(reason) {
      snapshot.invalid++;
      invalid.inc({ reason });
    },
    relayed(n) {
      snapshot.relayed += n;
      relayed.inc(n);
    },
    merged() {
      snapshot.merged++;
      merged.inc();
    },
    dropped() {
      snapshot.dropped++;
      dropped.inc();
    },
    catchUp(reason) {
      snapshot.catchUps++;
      catchUps.inc({ reason });
    },
    batchStart(size) {
      snapshot.batches++;
      snapshot.inFlight += size;
      inFlight.inc(size);
      // One message per call is a single handler: nothing to learn from a histogram of ones.
      if (size > 1 || batchCalls) batchSize.observe(size);
      const t0 = performance.now();
      return () => {
        snapshot.inFlight -= size;
        inFlight.dec(size);
        latency.observe((performance.now() - t0) / 1000);
      };
    },
    outcome(o) {
      if (o === 'handled' || o === 'rolled_back') {
        snapshot.handled++;
        handled.inc();
        if (o === 'rolled_back') {
          snapshot.rolledBack++;
          rolledBack.inc();
        }
      } else {
        snapshot.failed++;
        failed.inc({ kind: o });
      }
    },
    reconciled(fixed) {
      snapshot.reconciled += fixed;
      reconciled.inc(fixed);
    },
    setPending(fn) {
      pendingNow = fn;
    },
    setQueueDepth(fn) {
      depth = fn;
    },
  };
}
