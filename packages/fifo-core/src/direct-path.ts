// Direct mode: one batch from the pending set through the worker's handler,
// and what becomes of each message after it. Handled and rolled-back
// messages free their key; a failure waits in the pending set for its retry
// (a doubling backoff, DBFIFO_DIRECT_ATTEMPTS runs), still holding its key's
// place so per-key order holds and newer doorbells for it merge in. A
// doorbell whose handler gives up is left to a catch-up from the rows (its row
// is still undone, and reconcile will find it); any other message that fails
// for good (PermanentError, the last run, or shutdown) is written to the
// dead-letter file, so no failure is only a log line.
import type { Logger } from 'pino';
import { backoffDelay } from './backoff.ts';
import type { DeadLetterReason } from './codes.ts';
import type { RetryPolicy } from './config.ts';
import type { Helpers, Message, WorkerDefinition } from './contract.ts';
import { callHandler, outcomeOf } from './handler-call.ts';
import type { WorkerMetrics } from './metrics.ts';
import type { PendingEntry, PendingSet } from './pending.ts';

export interface DirectPathOptions<C, T> {
  def: WorkerDefinition<C, T>;
  pending: PendingSet<T>;
  retry: RetryPolicy;
  helpersFor(bindings: Record<string, unknown>): Helpers<C>;
  metrics: WorkerMetrics;
  log: Logger;
  /** Set a message aside: `handler_permanent`, `handler_exhausted` or `handler_shutdown`. */
  deadLetter(reason: DeadLetterReason, message: Message<T>, detail: string): void;
  /** A handler gave up on a doorbell: true when a catch-up from the rows will cover it. */
  gaveUp(): boolean;
  /** True once shutdown began: a failure is not retried any more. */
  stopping(): boolean;
}

export function directBatchRunner<C, T>(o: DirectPathOptions<C, T>): (entries: PendingEntry<T>[]) => Promise<void> {
  const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

  function settle(entry: PendingEntry<T>, m: Message<T>, err: unknown, h: Helpers<C>, now: number): void {
    const outcome = outcomeOf(err);
    o.metrics.outcome(outcome);
    if (outcome === 'handled') return o.pending.finish(entry);
    if (outcome === 'rolled_back') {
      h.log.info({ msgId: m.id, reason: errorText(err) }, 'row never became visible: counted as rolled back');
      return o.pending.finish(entry);
    }
    const attempts = entry.attempts + 1;
    if (outcome === 'failed' && attempts < o.retry.attempts && !o.stopping()) {
      o.pending.retry({ ...entry, attempts }, now + backoffDelay(attempts, { initialMs: o.retry.backoffMs }));
      return;
    }
    o.pending.finish(entry);
    if (entry.keyed && outcome === 'failed' && o.gaveUp()) {
      // The catch-up episode says so once (warn); one line per doorbell would flood an outage.
      h.log.debug({ msgId: m.id, attempts, err: errorText(err) }, 'handler gave up on the doorbell: its row is caught up from the rows');
      return;
    }
    const reason = outcome === 'permanent' ? 'handler_permanent' : o.stopping() && attempts < o.retry.attempts ? 'handler_shutdown' : 'handler_exhausted';
    o.log.error({ msgId: m.id, attempts, reason }, 'handler gave up on the message: dead-lettered');
    o.deadLetter(reason, m, `${attempts} run(s); last error: ${errorText(err)}`);
  }

  return async (entries) => {
    const messages = entries.map((e) => (e.attempts === 0 ? e.message : { ...e.message, attempt: e.attempts + 1 }));
    const first = messages[0]!;
    const h = o.helpersFor(messages.length === 1 ? { msgId: first.id, attempt: first.attempt } : { batch: messages.length });
    const end = o.metrics.batchStart(messages.length);
    const results = await callHandler(o.def, messages, h);
    end();
    logFailures(h, messages, results);
    const now = Date.now();
    results.forEach((err, i) => settle(entries[i]!, messages[i]!, err, h, now));
  };
}

/** One line per failed message in a small batch; a summary with the first error for a big one. */
function logFailures<T>(h: { log: Logger }, messages: Message<T>[], results: unknown[]): void {
  if (results.every((err) => err === undefined)) return;
  const failed = results.flatMap((err, i) => (outcomeOf(err) === 'failed' || outcomeOf(err) === 'permanent' ? [{ err, m: messages[i]! }] : []));
  if (failed.length === 0) return;
  const log = h.log;
  if (failed.length <= 3) {
    for (const { err, m } of failed) log.error({ err, msgId: m.id, attempt: m.attempt, permanent: outcomeOf(err) === 'permanent' }, 'handler failed');
    return;
  }
  log.error({ err: failed[0]!.err, failed: failed.length, batch: messages.length }, `handler failed for ${failed.length} of ${messages.length} messages`);
}
