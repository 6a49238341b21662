// When the ledger's retries run: a timer set for the earliest retry anyone
// asked for (a failed delivery, the ledger's next due time). One run at a
// time; a run returns when the next retry is due, and a run that throws (the
// database away) is tried again with backoff. Needs no reconcile interval.
import { Backoff } from '@dbfifo/fifo-core';

export class RetryTimer {
  private timer: NodeJS.Timeout | undefined;
  private at = Infinity;
  private running: Promise<void> | undefined;
  /** Asked for while a run was under way: when to run next. */
  private askedAt = Infinity;
  private stopped = false;
  private readonly failures = new Backoff({ initialMs: 1000, maxMs: 30_000 });

  constructor(
    private readonly run: () => Promise<number | undefined>,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** Run in `ms` (or sooner, if already set to). */
  wake(ms: number): void {
    if (this.stopped) return;
    const at = Date.now() + Math.max(0, ms);
    if (this.running) {
      this.askedAt = Math.min(this.askedAt, at);
      return;
    }
    if (at >= this.at) return;
    if (this.timer) clearTimeout(this.timer);
    this.at = at;
    this.timer = setTimeout(() => this.fire(), at - Date.now());
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.at = Infinity;
    this.running = this.run().then(
      (next) => {
        this.failures.reset();
        return next;
      },
      (e: unknown) => {
        this.onError(e);
        return this.failures.next();
      },
    ).then((next) => {
      this.running = undefined;
      const asked = this.askedAt;
      this.askedAt = Infinity;
      if (next !== undefined) this.wake(next);
      if (asked !== Infinity) this.wake(asked - Date.now());
    });
  }

  /** No more runs; resolves once a running one ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
