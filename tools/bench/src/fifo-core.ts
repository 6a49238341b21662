// fifo-core's runtime as the benchmarks use it: a worker with a given handler
// on a given pipe, in direct or queue mode. Loaded dynamically so the
// scenarios that only need fifo.so run even before startWorker exists.
import type { WorkerDefinition } from '@dbfifo/fifo-core';

export interface CoreWorker {
  ready: Promise<void>;
  stop(): Promise<void>;
  metrics: Record<string, number>;
}

interface CoreApi {
  startWorker(def: WorkerDefinition<any, any>, config: any, opts?: unknown): CoreWorker;
  loadRuntimeConfig(name: string, source?: NodeJS.ProcessEnv): unknown;
}

export async function loadCore(): Promise<CoreApi | undefined> {
  const core = (await import('@dbfifo/fifo-core')) as Record<string, unknown>;
  if (typeof core.startWorker !== 'function' || typeof core.loadRuntimeConfig !== 'function') return undefined;
  return core as unknown as CoreApi;
}

export interface CoreWorkerOptions {
  name: string;
  pipe: string;
  pipeDir: string;
  mode: 'direct' | 'queue';
  role?: 'relay' | 'consumer' | 'both';
  redisUrl: string;
  databaseUrl: string;
  concurrency?: number;
  handle: NonNullable<WorkerDefinition<any, any>['handle']>;
}

export function startCoreWorker(core: CoreApi, o: CoreWorkerOptions): CoreWorker {
  const runtime = core.loadRuntimeConfig(o.name, {
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
  return core.startWorker({ name: o.name, handle: o.handle }, { runtime, db: { url: o.databaseUrl } });
}
