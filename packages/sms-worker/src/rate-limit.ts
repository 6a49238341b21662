// A token bucket that every message create of this process passes through, in
// every mode: at most `burst` back to back, then one per 1/ratePerSec. Waiters
// are served in arrival order, so the rate is never exceeded however many
// handlers run at once. ratePerSec 0 = no limit.
import { setTimeout as sleep } from 'node:timers/promises';

export class TokenBucket {
  readonly #intervalMs: number;
  readonly #burst: number;
  /** Time at which the bucket would be full again (GCRA's "theoretical arrival time"). */
  #tat = 0;

  constructor(ratePerSec: number, burst = 1, private readonly now: () => number = () => performance.now()) {
    this.#intervalMs = ratePerSec > 0 ? 1000 / ratePerSec : 0;
    this.#burst = Math.max(1, burst);
  }

  get limited(): boolean {
    return this.#intervalMs > 0;
  }

  /** Resolves when this caller may send; rejects if `signal` aborts first. */
  async take(signal?: AbortSignal): Promise<void> {
    if (!this.limited) return;
    const now = this.now();
    const tat = Math.max(this.#tat, now);
    // Reserve our slot first (synchronously), then wait for it: arrival order is kept.
    const allowedAt = tat - (this.#burst - 1) * this.#intervalMs;
    this.#tat = tat + this.#intervalMs;
    const wait = allowedAt - now;
    if (wait > 0) await sleep(wait, undefined, { signal });
  }
}
