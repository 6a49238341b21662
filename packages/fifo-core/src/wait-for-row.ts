// A trigger calls fifo_write *before* its transaction commits, so a fast worker
// can read the line before the row is visible. Re-read with a short doubling
// backoff (5, 10, 20, 40 … ms, capped) until the row shows up or timeoutMs has
// passed; undefined then means "rolled back" (the caller counts it and sends nothing).
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitForRowOptions {
  /** Give up after this long (default 2000 ms). */
  timeoutMs?: number;
  /** Stop early (shutdown); resolves undefined. */
  signal?: AbortSignal;
  /** First delay (default 5 ms); doubles up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export async function waitForRow<R>(fetch: () => Promise<R | undefined>, o: WaitForRowOptions = {}): Promise<R | undefined> {
  const timeoutMs = o.timeoutMs ?? 2000;
  const maxDelay = o.maxDelayMs ?? 200;
  const deadline = Date.now() + timeoutMs;
  let delay = o.initialDelayMs ?? 5;
  for (;;) {
    const row = await fetch();
    if (row !== undefined && row !== null) return row;
    const left = deadline - Date.now();
    if (left <= 0 || o.signal?.aborted) return undefined;
    try {
      await sleep(Math.min(delay, left), undefined, { signal: o.signal });
    } catch {
      return undefined; // aborted while sleeping
    }
    delay = Math.min(delay * 2, maxDelay);
  }
}
