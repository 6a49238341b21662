// Direct mode's retry policy (queue mode has BullMQ's): a handler that fails
// runs again after a doubling delay, inside its key's lane of the dispatcher,
// so a later message for the same key waits and per-key order holds. A
// PermanentError, the last failure, or a shutdown during the wait gives the
// message up to `giveUp` (the worker dead-letters it), so no failure is only
// a log line: a person can see it and replay it.
import { setTimeout as sleep } from 'node:timers/promises';
import { PermanentError } from './contract.ts';

export interface RetryPolicy {
  /** Runs per message, the first included (1 = no retry). */
  attempts: number;
  /** Delay before the second run, doubled before each further one. */
  backoffMs: number;
}

export type GiveUpReason = 'permanent' | 'exhausted' | 'shutdown';

export async function runWithRetry(
  run: (attempt: number) => Promise<void>,
  policy: RetryPolicy,
  stop: AbortSignal,
  giveUp: (reason: GiveUpReason, error: unknown, attempts: number) => void,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run(attempt);
      return;
    } catch (error) {
      if (error instanceof PermanentError) return giveUp('permanent', error, attempt);
      if (attempt >= policy.attempts) return giveUp('exhausted', error, attempt);
      if (stop.aborted) return giveUp('shutdown', error, attempt);
      try {
        await sleep(policy.backoffMs * 2 ** (attempt - 1), undefined, { signal: stop });
      } catch {
        return giveUp('shutdown', error, attempt);
      }
    }
  }
}
