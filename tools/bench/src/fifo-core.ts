// fifo-core's runtime as the benchmarks use it: a worker with a given handler
// on a given pipe, in direct or queue mode. Imported statically and typed, so
// a change to fifo-core's API breaks the bench's typecheck, not a bench run.
import { loadRuntimeConfig, startWorker, type RunningWorker, type WorkerConfig, type SingleWorkerDefinition } from '@dbfifo/fifo-core';

export interface CoreWorkerOptions {
  name: string;
  pipe: string;
  pipeDir: string;
  mode: 'direct' | 'queue';
  role?: 'relay' | 'consumer' | 'both';
  redisUrl: string;
  databaseUrl: string;
  concurrency?: number;
  handle: SingleWorkerDefinition<WorkerConfig>['handle'];
}

export function startCoreWorker(o: CoreWorkerOptions): RunningWorker {
  const runtime = loadRuntimeConfig(o.name, {
    DBFIFO_PIPE: o.pipe,
    DBFIFO_PIPE_DIR: o.pipeDir,
    DBFIFO_PIPE_MODE: '0666',
    DBFIFO_MODE: o.mode,
    DBFIFO_ROLE: o.role ?? 'both',
    DBFIFO_CONCURRENCY: String(o.concurrency ?? 8),
    DBFIFO_RECONCILE_INTERVAL_MS: '0',
    REDIS_URL: o.redisUrl,
    LOG_LEVEL: 'warn',
  });
  return startWorker({ name: o.name, handle: o.handle }, { runtime, db: { url: o.databaseUrl } });
}
