// fifo-core's runtime as the benchmarks use it: a worker with a given handler
// on a given pipe, in direct or queue mode. Imported statically and typed, so
// a change to fifo-core's API breaks the bench's typecheck, not a bench run.
import { loadRuntimeConfig, startWorker, type BatchWorkerDefinition, type RunningWorker, type WorkerConfig, type SingleWorkerDefinition } from '@dbfifo/fifo-core';

export interface CoreWorkerOptions {
  name: string;
  pipe: string;
  pipeDir: string;
  mode: 'direct' | 'queue';
  role?: 'relay' | 'consumer' | 'both';
  redisUrl: string;
  databaseUrl: string;
  concurrency?: number;
  /** One message per call, or (handleBatch) what is pending per call. */
  handle: SingleWorkerDefinition<WorkerConfig>['handle'] | { batch: BatchWorkerDefinition<WorkerConfig>['handleBatch'] };
  batchMax?: number;
}

export function startCoreWorker(o: CoreWorkerOptions): RunningWorker {
  const runtime = loadRuntimeConfig(o.name, {
    DBFIFO_PIPE: o.pipe,
    DBFIFO_PIPE_DIR: o.pipeDir,
    DBFIFO_PIPE_MODE: '0666',
    DBFIFO_MODE: o.mode,
    DBFIFO_ROLE: o.role ?? 'both',
    DBFIFO_CONCURRENCY: String(o.concurrency ?? 8),
    DBFIFO_BATCH_MAX: String(o.batchMax ?? 1000),
    DBFIFO_RECONCILE_INTERVAL_MS: '0',
    REDIS_URL: o.redisUrl,
    LOG_LEVEL: 'warn',
  });
  const h = o.handle;
  const def = typeof h === 'function' ? { name: o.name, handle: h } : { name: o.name, handleBatch: h.batch };
  return startWorker(def, { runtime, db: { url: o.databaseUrl } });
}
