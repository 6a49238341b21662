// Queue mode, consumer side: what one BullMQ job means. A `catch-up` job
// from a relay becomes a catch-up here (the job ends when it has); a line is
// rebuilt into its message and handled: a batch worker's jobs running at
// once share one handler call (Batcher), a single handler gets its own. The
// outcome is counted; a failure is thrown back to BullMQ, which retries it.
import type { Job } from 'bullmq';
import { Batcher } from './batcher.ts';
import type { CatchUp, CatchUpReason } from './catch-up.ts';
import type { RuntimeConfig } from './config.ts';
import { PermanentError, type Helpers, type Message, type WorkerDefinition } from './contract.ts';
import { callHandler, outcomeOf } from './handler-call.ts';
import type { Intake } from './intake.ts';
import type { Logger } from './logger.ts';
import type { WorkerMetrics } from './metrics.ts';
import { CATCH_UP_JOB, type CatchUpJobData, type LineJobData, type RelayJobData } from './queue-relay.ts';

export interface ConsumerPath {
  consume(job: Job<RelayJobData>): Promise<void>;
  /** Jobs this process runs at once: for a batch worker, enough to fill its batches. */
  concurrency: number;
  /** Wait for a batch call in progress (shutdown). */
  drain(): Promise<void>;
}

export function createConsumerPath<C, T>(o: {
  def: WorkerDefinition<C, T>;
  rt: RuntimeConfig;
  intake: Intake<T>;
  metrics: WorkerMetrics;
  log: Logger;
  helpersFor(bindings: Record<string, unknown>): Helpers<C>;
  catchUp: CatchUp | undefined;
}): ConsumerPath {
  const { def, rt, metrics, log } = o;
  const batches = def.handleBatch
    ? new Batcher<string, Message<T>>(async (batch) => {
        const keys = [...batch.keys()];
        const messages = keys.map((k) => batch.get(k)!.reduce((older, newer) => def.merge?.(older, newer) ?? newer));
        const end = metrics.batchStart(messages.length);
        const results = await callHandler(def, messages, o.helpersFor({ batch: messages.length }));
        end();
        const out = new Map<string, Error>();
        results.forEach((err, i) => {
          if (err !== undefined) out.set(keys[i]!, err instanceof Error ? err : new Error(String(err)));
        });
        return out;
      }, { max: rt.batchMax, quietMs: rt.batchLingerMs })
    : undefined;

  async function handleOne(m: Message<T>, key: string | undefined, jobId: string): Promise<unknown> {
    if (batches) return batches.add(key ?? `\u0000job:${jobId}`, m).then(() => undefined, (e: unknown) => e);
    const h = o.helpersFor({ msgId: m.id, attempt: m.attempt });
    const end = metrics.batchStart(1);
    const [err] = await callHandler(def, [m], h);
    end();
    if (err !== undefined && outcomeOf(err) !== 'rolled_back') h.log.error({ err, permanent: outcomeOf(err) === 'permanent' }, 'handler failed');
    return err;
  }

  return {
    concurrency: batches ? rt.concurrency * rt.batchMax : rt.concurrency,
    drain: async () => batches?.drain(),
    async consume(job) {
      if (job.name === CATCH_UP_JOB) {
        if (!o.catchUp) return;
        const reasons = (job.data as CatchUpJobData).reasons ?? {};
        for (const [reason, n] of Object.entries(reasons)) o.catchUp.lost(reason as CatchUpReason, n ?? 0);
        await o.catchUp.settled();
        return;
      }
      const data = job.data as LineJobData;
      const a = o.intake.accept(data.raw, new Date(data.receivedAt), job.id!, job.attemptsMade + 1);
      if (!a) throw new PermanentError('refused by parse (dead-lettered)');
      const err = await handleOne(a.m, a.key, job.id!);
      const outcome = outcomeOf(err);
      metrics.outcome(outcome);
      if (outcome === 'rolled_back') log.info({ msgId: a.m.id, reason: (err as Error).message }, 'row never became visible: counted as rolled back');
      else if (outcome !== 'handled') throw err;
    },
  };
}
