// Queue mode, consumer side: a BullMQ Worker runs the same handler with the
// queue's retries and exponential backoff and an optional rate limit. Any number
// of consumer processes may share a queue; BullMQ's locks give each job to one.
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueueConfig } from './config.ts';
import { PermanentError } from './contract.ts';
import type { RelayJobData } from './queue-relay.ts';

export interface ConsumerOptions {
  cfg: QueueConfig;
  connection: Redis;
  /** Jobs run at once by this process. */
  concurrency: number;
  /** Run one job; throw to fail the attempt (PermanentError: no retry). */
  process(job: Job<RelayJobData>): Promise<void>;
  onExhausted(job: Job<RelayJobData>, err: Error): void;
  onError(e: Error): void;
}

export function startConsumer(o: ConsumerOptions): Worker<RelayJobData> {
  const worker = new Worker<RelayJobData>(
    o.cfg.name,
    async (job) => {
      // Dedupe only while a job is waiting: once it runs, a newer edit of the
      // same row must be able to queue again or it would be lost.
      if (job.deduplicationId) await job.removeDeduplicationKey().catch(() => false);
      try {
        await o.process(job);
      } catch (e) {
        if (e instanceof PermanentError) throw new UnrecoverableError(`${e.name}: ${e.message}`);
        throw e;
      }
    },
    {
      connection: o.connection,
      prefix: o.cfg.prefix,
      concurrency: o.concurrency,
      autorun: true,
      // A consumer host that vanishes keeps its jobs locked until the lock
      // expires; the next stalled check hands them to a live consumer.
      lockDuration: o.cfg.lockDurationMs,
      stalledInterval: o.cfg.stalledIntervalMs,
      ...(o.cfg.rateMax > 0 ? { limiter: { max: o.cfg.rateMax, duration: o.cfg.rateDurationMs } } : {}),
    },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    const exhausted = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (exhausted) o.onExhausted(job, err);
  });
  worker.on('error', (e) => o.onError(e));
  return worker;
}
