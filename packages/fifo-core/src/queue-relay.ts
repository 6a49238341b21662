// Queue mode, relay side: every accepted line becomes one BullMQ job in the
// queue named after the pipe. Job id = message id (a resend after a lost reply
// is then a no-op, not a duplicate); the handler's key() becomes the dedupe id.
// Failed (exhausted) jobs are kept so a person can look at them.
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueueConfig } from './config.ts';

export interface RelayJobData {
  raw: string;
  receivedAt: string;
  pipe: string;
}

export interface RelayJob {
  id: string;
  data: RelayJobData;
  key?: string;
}

export class QueueRelay {
  readonly queue: Queue<RelayJobData>;
  private readonly defaults: JobsOptions;

  constructor(readonly cfg: QueueConfig, connection: Redis) {
    this.queue = new Queue<RelayJobData>(cfg.name, { connection, prefix: cfg.prefix });
    this.defaults = {
      attempts: cfg.attempts,
      backoff: { type: 'exponential', delay: cfg.backoffMs },
      removeOnComplete: { count: cfg.keepCompleted },
      removeOnFail: false,
    };
  }

  /** Resolves once Redis has every job (waits through outages; never drops). */
  async add(jobs: RelayJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue.addBulk(
      jobs.map((j) => ({
        name: 'line',
        data: j.data,
        opts: { ...this.defaults, jobId: j.id, ...(j.key !== undefined ? { deduplication: { id: j.key } } : {}) },
      })),
    );
  }

  depth(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children');
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
