// Runs batches from the pending set: at most `slots` at once, each of at most
// `batchMax` entries (one per key). A batch goes as soon as a slot is free and
// either `batchMax` entries are ready or the oldest ready one has waited
// `lingerMs`; while every slot is busy, arrivals simply gather into the next
// batch (group commit). Retries wait in the pending set until their time;
// a timer wakes the dispatcher for them and for lingering batches.
import type { PendingEntry, PendingSet } from './pending.ts';

export interface DispatcherOptions<T> {
  pending: PendingSet<T>;
  /** Batches running at once. */
  slots: number;
  /** Most entries per batch. */
  batchMax: number;
  /** How long the oldest ready entry may wait for others to join its batch. */
  lingerMs: number;
  /**
   * Runs one batch and settles every entry (pending.finish or pending.retry)
   * before it resolves. A rejection is a bug in the caller: reported, and the
   * entries are finished so their keys are not stuck.
   */
  run(entries: PendingEntry<T>[]): Promise<void>;
  onError(e: unknown): void;
  /** Told after every batch (capacity may have come back). */
  onSettled?(): void;
}

export class Dispatcher<T> {
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private stopped = false;
  private draining = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: DispatcherOptions<T>) {}

  /** Look for work now (after an add, a finished batch, a retry coming due). */
  kick(): void {
    if (this.stopped) return;
    const { pending, batchMax, lingerMs } = this.o;
    const now = Date.now();
    const nextRetry = pending.promoteDue(now);
    while (this.running < this.o.slots && pending.readyCount > 0) {
      const oldest = pending.oldestReadyAt ?? now;
      if (!this.draining && pending.readyCount < batchMax && now - oldest < lingerMs) {
        this.wakeAt(oldest + lingerMs);
        break;
      }
      this.start(pending.take(batchMax));
    }
    if (nextRetry !== undefined) this.wakeAt(nextRetry);
    this.notifyIdle();
  }

  /** Resolves when no batch runs and nothing is ready or waiting behind a key (delayed retries excluded). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Take no new batches (shutdown); running ones finish. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.notifyIdle();
  }

  /** From now on run what is ready without lingering (shutdown: finish pending work within the deadline). */
  drain(): void {
    this.draining = true;
    this.kick();
  }

  private isIdle(): boolean {
    return this.running === 0 && (this.stopped || this.o.pending.readyCount === 0);
  }

  private notifyIdle(): void {
    if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  private start(entries: PendingEntry<T>[]): void {
    if (entries.length === 0) return;
    this.running++;
    void this.o
      .run(entries)
      .catch((e: unknown) => {
        this.o.onError(e);
        for (const e2 of entries) this.o.pending.finish(e2);
      })
      .finally(() => {
        this.running--;
        this.o.onSettled?.();
        if (this.stopped) this.notifyIdle();
        else this.kick();
      });
  }

  private wakeAt(at: number): void {
    if (at >= this.timerAt && this.timer) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.kick();
    }, Math.max(0, at - Date.now()));
    this.timer.unref();
  }
}
