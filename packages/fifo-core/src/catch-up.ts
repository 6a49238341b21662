// Catch-up: the runtime's answer to "a doorbell may have been lost". The pipe
// was seen full (writers were answered 'false'), doorbells were dropped past
// the pending bound, a handler gave up on a row, a relay (re)started after
// writers found no reader: in each case the rows are still the truth, so the
// worker reconciles from them, without waiting for the periodic interval.
//
// - The first pass runs as soon as the worker has capacity (its pending set
//   is at most half full), and it must have *started* after the last loss.
// - A trigger rings before its transaction commits, so a row whose doorbell
//   was lost may still be uncommitted during that pass: the episode ends only
//   with a pass that started `settleMs` after the last loss.
// - A pass that fails, or reports `more`, is followed by the reconcile
//   scheduler's next pass, which it runs soon with backoff.
// - Each episode is logged once when it begins (warn, with its reason) and
//   once when it ends (info, with what was lost per reason and what was fixed).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ReconcileReport } from './contract.ts';
import type { ReconcileScheduler } from './reconcile-scheduler.ts';

/** Why a doorbell may have been lost; the `reason` label of dbfifo_catchup_total. */
export type CatchUpReason =
  /** The reader found its pipe full: writers were answered 'false'. */
  | 'pipe_full'
  /** Doorbells were dropped because DBFIFO_PENDING_MAX messages were pending. */
  | 'pending_full'
  /** A handler gave up on a message (retries exhausted); its row is still undone. */
  | 'handler_gave_up'
  /** A queue-mode relay started: writers found no reader until now. */
  | 'relay_start'
  /**
   * A queue-mode relay could not hand lines to Redis for a while: the
   * consumers reconcile as soon as it is back (faster than working through
   * the backlog of jobs, which then finds its rows done).
   */
  | 'redis_outage';

export interface CatchUpOptions {
  reconciler: ReconcileScheduler;
  /** Quiet time after the last loss before the closing pass (transactions still open). */
  settleMs: number;
  /** True while the worker can take on a reconcile (its pending set is not crowded). */
  hasCapacity(): boolean;
  log: Logger;
  /** Counts a reason the first time it appears in an episode. */
  counted(reason: CatchUpReason): void;
  signal: AbortSignal;
}

interface Episode {
  startedAt: number;
  /** Per reason: how often it was seen, and doorbells known lost (0 when unknown, e.g. a full pipe). */
  reasons: Partial<Record<CatchUpReason, { requests: number; lost: number }>>;
  passes: number;
  fixed: number;
}

export class CatchUp {
  private lastLossAt = 0;
  private lastPassStartedAt = 0;
  private episode: Episode | undefined;
  private loop: Promise<void> | undefined;
  private capacityWaiter: (() => void) | undefined;

  constructor(private readonly o: CatchUpOptions) {}

  /**
   * A doorbell may have been lost (`lost` counts the ones known to be, 0 when
   * unknown, e.g. a full pipe). Opens an episode if none is open; each reason
   * is counted once per episode (dbfifo_catchup_total{reason}).
   */
  lost(reason: CatchUpReason, lost = 0): void {
    if (this.o.signal.aborted) return;
    this.lastLossAt = Date.now();
    if (!this.episode) {
      this.episode = { startedAt: this.lastLossAt, reasons: {}, passes: 0, fixed: 0 };
      this.o.log.warn({ reason, lost }, `doorbells may have been lost (${describe(reason)}): catch-up from the rows scheduled`);
    }
    let r = this.episode.reasons[reason];
    if (!r) {
      r = this.episode.reasons[reason] = { requests: 0, lost: 0 };
      this.o.counted(reason);
    }
    r.requests++;
    r.lost += lost;
    this.loop ??= this.run().finally(() => (this.loop = undefined));
  }

  /** True between a loss and the start of the pass that covers it: new doorbells need not be tracked. */
  get awaitingPass(): boolean {
    return this.episode !== undefined && this.lastLossAt > this.lastPassStartedAt;
  }

  /** True while an episode is open. */
  get active(): boolean {
    return this.episode !== undefined;
  }

  /** Call when capacity may have come back (a batch finished). */
  wake(): void {
    if (this.capacityWaiter && this.o.hasCapacity()) {
      this.capacityWaiter();
      this.capacityWaiter = undefined;
    }
  }

  /** Resolves when the current episode (if any) has ended or shutdown began. */
  async settled(): Promise<void> {
    await this.loop;
  }

  private waitCapacity(): Promise<void> {
    if (this.o.hasCapacity() || this.o.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.capacityWaiter = resolve;
      this.o.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  private async run(): Promise<void> {
    const signal = this.o.signal;
    while (!signal.aborted) {
      await this.waitCapacity();
      if (signal.aborted) return;
      const lossAt = this.lastLossAt;
      const ep = this.episode!;
      let pass: { report: ReconcileReport | undefined; startedAt: number } | undefined = await this.o.reconciler.runStartedAfter(lossAt, (at) => {
        this.lastPassStartedAt = Math.max(this.lastPassStartedAt, at);
      });
      ep.passes++;
      ep.fixed += pass.report?.fixed ?? 0;
      // Not everything in line yet: the scheduler runs the next pass soon, with backoff.
      while (!pass.report || pass.report.more) {
        pass = await this.o.reconciler.nextPass();
        if (!pass || signal.aborted) return;
        ep.passes++;
        ep.fixed += pass.report?.fixed ?? 0;
      }
      const startedAt = pass.startedAt;
      if (this.lastLossAt > lossAt) continue; // lost more while it ran
      const settleAt = lossAt + this.o.settleMs;
      if (startedAt >= settleAt) {
        this.o.log.info(
          { reasons: ep.reasons, passes: ep.passes, fixed: ep.fixed, ms: Date.now() - ep.startedAt },
          `caught up from the rows: ${ep.fixed} fixed`,
        );
        this.episode = undefined;
        return;
      }
      try {
        await sleep(settleAt - Date.now(), undefined, { signal });
      } catch {
        return;
      }
    }
  }
}

function describe(reason: CatchUpReason): string {
  switch (reason) {
    case 'pipe_full':
      return 'the pipe was full, so writers were answered false';
    case 'pending_full':
      return 'more doorbells were pending than DBFIFO_PENDING_MAX';
    case 'handler_gave_up':
      return 'a handler gave up on a message';
    case 'relay_start':
      return 'a relay started; writers found no reader before';
    case 'redis_outage':
      return 'the relay could not hand lines to Redis for a while';
  }
}
