// A rate limit for calls to something outside (a provider, an endpoint): at
// most `burst` grants in any burst/ratePerSec seconds (burst 1: grants at
// least 1/ratePerSec apart). Spacing is measured from when earlier grants
// really happened, not when they were scheduled, so a caller that woke late
// (busy event loop) cannot be followed by one that bunches up behind it.
// Waiters are served in arrival order. ratePerSec 0 = no limit. QueuedLimiter
// is the rule with the wait left open, for a limiter shared through Redis
// (sms-worker's RedisRateLimiter).
import { setTimeout as sleep } from 'node:timers/promises';

/** What a caller asks before every request; process-local (TokenBucket) or shared (e.g. through Redis). */
export interface RateLimiter {
  readonly limited: boolean;
  /** Resolves when this caller may send; rejects if `signal` aborts first. */
  take(signal?: AbortSignal): Promise<void>;
  close?(): Promise<void>;
}

/**
 * Both limiters keep the same rule (at most `burst` grants in any windowMs =
 * burst/ratePerSec seconds) and serve callers one at a time, in arrival order;
 * subclasses say how long one turn waits.
 */
export abstract class QueuedLimiter implements RateLimiter {
  #queue: Promise<void> = Promise.resolve();
  protected readonly burst: number;
  protected readonly windowMs: number;

  constructor(ratePerSec: number, burst = 1) {
    this.burst = Math.max(1, burst);
    this.windowMs = ratePerSec > 0 ? (1000 * this.burst) / ratePerSec : 0;
  }

  get limited(): boolean {
    return this.windowMs > 0;
  }

  /** Wait until this turn may send, and record the grant. */
  protected abstract waitTurn(signal?: AbortSignal): Promise<void>;

  take(signal?: AbortSignal): Promise<void> {
    if (!this.limited) return Promise.resolve();
    const turn = this.#queue.then(() => this.waitTurn(signal));
    this.#queue = turn.catch(() => {});
    return turn;
  }
}

export class TokenBucket extends QueuedLimiter {
  /** Times of the last `burst` grants, oldest first. */
  readonly #grants: number[] = [];

  constructor(ratePerSec: number, burst = 1, private readonly now: () => number = () => performance.now()) {
    super(ratePerSec, burst);
  }

  protected async waitTurn(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    for (;;) {
      const oldest = this.#grants.length < this.burst ? -Infinity : this.#grants[0]!;
      const wait = oldest + this.windowMs - this.now();
      if (wait <= 0) break;
      await sleep(Math.ceil(wait), undefined, { signal });
    }
    this.#grants.push(this.now());
    if (this.#grants.length > this.burst) this.#grants.shift();
  }
}
