// The one doubling delay every retry loop in dbfifo uses: direct-mode retries,
// the relay handing lines to Redis, catch-up passes, row re-reads, the SMS
// sender and its "did it go out?" lookup, the Redis reconnect strategy.
//
// delay(attempt) = min(maxMs, initialMs × factor^(attempt-1)), then, with
// jitter, a random point in its upper half: callers that failed together do
// not retry together.
import { setTimeout as sleep } from 'node:timers/promises';

export interface BackoffOptions {
  /** Delay before the second try. */
  initialMs: number;
  /** Longest delay (default: no ceiling). */
  maxMs?: number;
  /** Growth per try (default 2). */
  factor?: number;
  /** Spread each delay over [delay/2, delay] (default false). */
  jitter?: boolean;
}

/** The delay before try `attempt + 1`, after `attempt` tries (attempt >= 1). */
export function backoffDelay(attempt: number, o: BackoffOptions): number {
  const raw = o.initialMs * (o.factor ?? 2) ** Math.max(0, attempt - 1);
  const capped = Math.min(o.maxMs ?? Infinity, raw);
  return o.jitter ? capped * (0.5 + Math.random() / 2) : capped;
}

/** A running sequence of delays: next() grows, reset() starts over (e.g. after a success). */
export class Backoff {
  private attempt = 0;

  constructor(private readonly o: BackoffOptions) {}

  next(): number {
    return backoffDelay(++this.attempt, this.o);
  }

  reset(): void {
    this.attempt = 0;
  }

  /** Tries counted since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** Sleep the next delay; false when `signal` aborted it (nothing thrown). */
  async wait(signal?: AbortSignal): Promise<boolean> {
    try {
      await sleep(this.next(), undefined, { signal });
      return true;
    } catch {
      return false;
    }
  }
}
