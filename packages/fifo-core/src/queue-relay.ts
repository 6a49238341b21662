// Queue mode, relay side: every accepted line becomes one BullMQ job in the
// queue named after the pipe. Job id = message id (a resend after a lost reply
// is then a no-op, not a duplicate); the handler's key() becomes the dedupe id.
// Failed (exhausted) jobs are kept so a person can look at them.
//
// A relay that knows doorbells may have been lost (the pipe was full, it
// dropped some while Redis was away, it just started) adds a `catch-up` job
// instead: whichever consumer takes it reconciles from the rows.
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CatchUpReason } from './catch-up.ts';
import type { QueueConfig } from './config.ts';

/** A line, as a consumer re-reads it. */
export interface LineJobData {
  raw: string;
  receivedAt: string;
  pipe: string;
}

/** A catch-up request: what the relay knows was lost, per reason. */
export interface CatchUpJobData {
  pipe: string;
  reasons: Partial<Record<CatchUpReason, number>>;
}

export type RelayJobData = LineJobData | CatchUpJobData;

export const LINE_JOB = 'line';
export const CATCH_UP_JOB = 'catch-up';
/** While one catch-up job waits, another adds nothing (BullMQ deduplication). */
const CATCH_UP_DEDUPE_ID = 'dbfifo:catch-up';

export type RelayJob =
  | { name: typeof LINE_JOB; id: string; data: LineJobData; key?: string }
  | { name: typeof CATCH_UP_JOB; id: string; data: CatchUpJobData };

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
   * One round trip for every job. Rejects when Redis answers with an error
   * (out of memory under noeviction, READONLY after a failover); the caller
   * keeps the jobs pending and tries again. A lost connection just waits
   * (ioredis queues the command), bounded by the caller at shutdown.
   */
  async add(jobs: RelayJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue.addBulk(
      jobs.map((j) => {
        const dedupe = j.name === CATCH_UP_JOB ? CATCH_UP_DEDUPE_ID : j.key;
        // A catch-up goes to the head of the queue: it fixes what the jobs behind it would, faster.
        const head = j.name === CATCH_UP_JOB ? { lifo: true } : {};
        return { name: j.name, data: j.data, opts: { ...this.defaults, ...head, jobId: j.id, ...(dedupe !== undefined ? { deduplication: { id: dedupe } } : {}) } };
      }),
    );
  }

  depth(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children');
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
