// Queue mode, relay side: every accepted line becomes one BullMQ job in the
// queue named after the pipe. Job id = message id (a resend after a lost reply
// is then a no-op, not a duplicate); the handler's key() becomes the dedupe id.
// Failed (exhausted) jobs are kept so a person can look at them.
import { setTimeout as sleep } from 'node:timers/promises';
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

const RETRY_BASE_MS = 100;
const RETRY_MAX_MS = 5000;

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

  /**
   * Resolves once Redis has every job; never drops. A lost connection just
   * waits (ioredis queues the command). An error *reply* (OOM under
   * noeviction, READONLY after a failover) rejects, so the batch is retried
   * with capped backoff until Redis takes it or `signal` aborts (shutdown,
   * which dead-letters the batch). Meanwhile the pipe stays held.
   */
  async add(jobs: RelayJob[], o: { signal?: AbortSignal; onRetry?: (e: Error, attempt: number) => void } = {}): Promise<void> {
    if (jobs.length === 0) return;
    const bulk = jobs.map((j) => ({
      name: 'line',
      data: j.data,
      opts: { ...this.defaults, jobId: j.id, ...(j.key !== undefined ? { deduplication: { id: j.key } } : {}) },
    }));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.queue.addBulk(bulk);
        return;
      } catch (e) {
        if (o.signal?.aborted) throw e;
        o.onRetry?.(e as Error, attempt);
        await sleep(Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempt - 1)), undefined, { signal: o.signal });
      }
    }
  }

  depth(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children');
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
