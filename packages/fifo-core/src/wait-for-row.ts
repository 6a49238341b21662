// A trigger calls fifo_write *before* its transaction commits, so a fast worker
// can read the line before the row is visible. Re-read with a short doubling
// backoff (1, 2, 4, 8 … ms, capped) until the row shows up or timeoutMs has
// passed; undefined then means "rolled back" (the caller counts it and sends nothing).
// A commit usually lands within a few ms of the doorbell, so the first delay is
// what a handler waits: it was 5 ms, which set the measured p50 (docs/benchmarks.md).
// readCommitted (a locking read) waits for the commit itself and needs no guess;
// fetch gets the time left, so it can be the bound of such a read.
import { setTimeout as sleep } from 'node:timers/promises';
import { Backoff } from './backoff.ts';

export interface WaitForRowOptions {
  /** Give up after this long (default 2000 ms). */
  timeoutMs?: number;
  /** Stop early (shutdown); resolves undefined. */
  signal?: AbortSignal;
  /** First delay (default 1 ms); doubles up to maxDelayMs (default 200). */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface FetchContext {
  /** Time left until timeoutMs (> 0); pass it as the bound of a blocking read. */
  remainingMs: number;
  signal?: AbortSignal;
}

export async function waitForRow<R>(fetch: (ctx: FetchContext) => Promise<R | undefined>, o: WaitForRowOptions = {}): Promise<R | undefined> {
  const timeoutMs = o.timeoutMs ?? 2000;
  const deadline = Date.now() + timeoutMs;
  const delays = new Backoff({ initialMs: o.initialDelayMs ?? 1, maxMs: o.maxDelayMs ?? 200 });
  for (;;) {
    const row = await fetch({ remainingMs: Math.max(1, deadline - Date.now()), signal: o.signal });
    if (row !== undefined && row !== null) return row;
    const left = deadline - Date.now();
    if (left <= 0 || o.signal?.aborted) return undefined;
    try {
      await sleep(Math.min(delays.next(), left), undefined, { signal: o.signal });
    } catch {
      return undefined; // aborted while sleeping
    }
  }
}
