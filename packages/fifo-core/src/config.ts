// The only file in fifo-core that reads process.env. Everything else receives the
// typed objects built here. Every DBFIFO_* variable, its default and meaning is
// listed in runtimeSpec below and in the package README.
import path from 'node:path';
import { ConfigError } from './errors.ts';
import { env, parseSpec, type Field, type FieldValue } from './env-fields.ts';
import type { RuntimeDefaults } from './contract.ts';

/** Direct mode's retry policy: runs per message (the first included) and the first retry delay, doubled each try. */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

export { env, type Field, type FieldValue } from './env-fields.ts';
export { ConfigError } from './errors.ts';

/** Parse a spec of env fields; throws one ConfigError listing *every* problem. */
export function loadConfig<S extends Record<string, Field<unknown>>>(
  spec: S,
  source: NodeJS.ProcessEnv = process.env,
): { [K in keyof S]: FieldValue<S[K]> } {
  const { values, problems } = parseSpec(spec, source);
  if (problems.length > 0) throw new ConfigError(problems);
  return values;
}

/**
 * Build a config from several parts (runtime, db, the worker's own) and report the
 * problems of all parts together, not just the first part that failed.
 * `collectConfig({ runtime: () => loadRuntimeConfig('sms', e), db: () => loadDatabaseConfig(e) })`
 */
export function collectConfig<P extends Record<string, () => unknown>>(parts: P): { [K in keyof P]: ReturnType<P[K]> } {
  const out = {} as { [K in keyof P]: ReturnType<P[K]> };
  const errors: ConfigError[] = [];
  for (const key of Object.keys(parts) as (keyof P)[]) {
    try {
      out[key] = parts[key]!() as ReturnType<P[typeof key]>;
    } catch (e) {
      if (e instanceof ConfigError) errors.push(e);
      else throw e;
    }
  }
  if (errors.length > 0) throw ConfigError.merge(errors);
  return out;
}

export interface QueueConfig {
  attempts: number;
  backoffMs: number;
  /** Jobs per rateDurationMs across all consumers of the queue (BullMQ limiters are global); 0 = no limit. */
  rateMax: number;
  rateDurationMs: number;
  /** BullMQ key prefix. */
  prefix: string;
  /** Queue name; default: the pipe's basename with characters BullMQ forbids replaced. */
  name: string;
  /** Completed jobs kept for inspection. Failed (exhausted) jobs are always kept. */
  keepCompleted: number;
  /** How long a consumer's lock on a running job lasts (renewed while it runs); a lost host's jobs are free again after it. */
  lockDurationMs: number;
  /** How often consumers look for jobs whose lock expired (stalled) and hand them out again. */
  stalledIntervalMs: number;
}

export interface RuntimeConfig {
  pipe: string;
  pipeDir: string;
  pipeMode: number;
  pipeGroup?: string;
  mode: 'direct' | 'queue';
  role: 'relay' | 'consumer' | 'both';
  /** Handler calls running at once (for a batch handler: batches). */
  concurrency: number;
  /** Most messages in one batch (batch handlers). */
  batchMax: number;
  /** How long the oldest pending message may wait for others to join its batch. */
  batchLingerMs: number;
  /** Pending messages tracked; past it new doorbells are dropped and caught up from the rows. */
  pendingMax: number;
  /** A catch-up's closing pass starts this long after the last lost doorbell (transactions still open). */
  catchUpSettleMs: number;
  /** Pipe buffer size the reader asks for (F_SETPIPE_SZ); 0 leaves the kernel's. */
  pipeSize: number;
  maxLineBytes: number;
  deadLetterFile: string;
  reconcileIntervalMs: number;
  shutdownTimeoutMs: number;
  redisUrl: string;
  /** Direct mode's retry policy (DBFIFO_DIRECT_ATTEMPTS, DBFIFO_DIRECT_BACKOFF_MS). */
  direct: RetryPolicy;
  queue: QueueConfig;
  metricsPort?: number;
  metricsHost: string;
  logLevel: string;
  /** The settings a worker's definition may give defaults for whose variable was not set. */
  unset: ReadonlySet<keyof RuntimeDefaults>;
}

/** BullMQ forbids ':' in queue names; keep names readable and Redis-key safe. */
export function queueNameFor(pipe: string): string {
  return path.basename(pipe).replace(/[^A-Za-z0-9_.-]/g, '_') || 'dbfifo';
}

export const runtimeSpec = {
  pipeDir: env.string('DBFIFO_PIPE_DIR', { default: '/run/dbfifo', doc: 'directory holding the pipes (the one the UDF may touch)' }),
  pipe: env.string('DBFIFO_PIPE', { optional: true, doc: 'absolute path of this worker\'s pipe; default ${DBFIFO_PIPE_DIR}/<worker name>' }),
  pipeMode: env.octal('DBFIFO_PIPE_MODE', { default: 0o620, doc: 'mode of a pipe the worker creates (octal)' }),
  pipeGroup: env.string('DBFIFO_PIPE_GROUP', { optional: true, doc: 'group given to the pipe so the database user can write it, e.g. mysql' }),
  mode: env.oneOf('DBFIFO_MODE', ['direct', 'queue'] as const, { default: 'direct', doc: 'direct: handle in-process; queue: through BullMQ' }),
  role: env.oneOf('DBFIFO_ROLE', ['relay', 'consumer', 'both'] as const, { default: 'both', doc: 'queue mode: read the pipe (relay), run handlers (consumer), or both' }),
  concurrency: env.int('DBFIFO_CONCURRENCY', { default: 8, min: 1, max: 10_000, doc: 'handler calls running at once in this process (for a batch handler: batches); a worker may set its own default' }),
  batchMax: env.int('DBFIFO_BATCH_MAX', { default: 100, min: 1, max: 100_000, doc: 'most messages in one batch (batch handlers); a worker may set its own default' }),
  batchLingerMs: env.int('DBFIFO_BATCH_LINGER_MS', { default: 0, min: 0, max: 60_000, doc: 'how long the oldest pending message may wait for others to join its batch; a worker may set its own default' }),
  pendingMax: env.int('DBFIFO_PENDING_MAX', { default: 50_000, min: 1, max: 10_000_000, doc: 'pending messages tracked; past it new doorbells are dropped and caught up from the rows (reconcile)' }),
  catchUpSettleMs: env.int('DBFIFO_CATCHUP_SETTLE_MS', { default: 2000, min: 0, max: 600_000, doc: 'a catch-up ends with a reconcile started this long after the last lost doorbell, for transactions still open before' }),
  pipeSize: env.int('DBFIFO_PIPE_SIZE', { default: 1024 * 1024, min: 0, max: 1024 * 1024 * 1024, doc: 'pipe buffer the reader asks the kernel for (F_SETPIPE_SZ, capped by /proc/sys/fs/pipe-max-size); 0 = leave it' }),
  maxLineBytes: env.int('DBFIFO_MAX_LINE_BYTES', { default: 4096, min: 16, max: 16 * 1024 * 1024, doc: 'longest accepted line including its newline' }),
  deadLetterFile: env.string('DBFIFO_DEAD_LETTER', { optional: true, doc: 'NDJSON file of refused lines; default ${pipe}.dead' }),
  reconcileIntervalMs: env.int('DBFIFO_RECONCILE_INTERVAL_MS', { default: 60_000, min: 0, doc: 'reconcile period; 0 = only at start' }),
  shutdownTimeoutMs: env.int('DBFIFO_SHUTDOWN_TIMEOUT_MS', { default: 10_000, min: 0, doc: 'time in-flight work gets to finish on SIGTERM' }),
  redisUrl: env.string('REDIS_URL', { default: 'redis://127.0.0.1:6379', doc: 'Redis for queue mode' }),
  directAttempts: env.int('DBFIFO_DIRECT_ATTEMPTS', { default: 3, min: 1, doc: 'direct mode: handler runs per message before it is dead-lettered (1 = no retry)' }),
  directBackoffMs: env.int('DBFIFO_DIRECT_BACKOFF_MS', { default: 500, min: 0, doc: 'direct mode: first retry delay, doubled each try' }),
  attempts: env.int('DBFIFO_QUEUE_ATTEMPTS', { default: 5, min: 1, doc: 'queue mode: tries per job' }),
  backoffMs: env.int('DBFIFO_QUEUE_BACKOFF_MS', { default: 1000, min: 0, doc: 'queue mode: first retry delay, doubled each try' }),
  rateMax: env.int('DBFIFO_QUEUE_RATE_MAX', { default: 0, min: 0, doc: 'queue mode: max jobs per DBFIFO_QUEUE_RATE_DURATION_MS for the whole queue (BullMQ limiters are global); 0 = unlimited' }),
  rateDurationMs: env.int('DBFIFO_QUEUE_RATE_DURATION_MS', { default: 1000, min: 1, doc: 'queue mode: rate-limit window' }),
  queuePrefix: env.string('DBFIFO_QUEUE_PREFIX', { default: 'dbfifo', doc: 'queue mode: BullMQ key prefix' }),
  queueName: env.string('DBFIFO_QUEUE_NAME', { optional: true, doc: 'queue mode: queue name; default the pipe\'s basename' }),
  lockDurationMs: env.int('DBFIFO_QUEUE_LOCK_MS', { default: 30_000, min: 100, doc: 'queue mode: job lock duration; a lost consumer\'s jobs run again after it (plus the stalled interval)' }),
  stalledIntervalMs: env.int('DBFIFO_QUEUE_STALLED_INTERVAL_MS', { default: 30_000, min: 100, doc: 'queue mode: how often consumers recover stalled jobs' }),
  keepCompleted: env.int('DBFIFO_QUEUE_KEEP_COMPLETED', { default: 1000, min: 0, doc: 'queue mode: completed jobs kept (failed ones are always kept)' }),
  metricsPort: env.int('DBFIFO_METRICS_PORT', { optional: true, min: 0, max: 65535, doc: 'serve /metrics and /healthz on this port; off when unset' }),
  metricsHost: env.string('DBFIFO_METRICS_HOST', { default: '127.0.0.1', doc: 'address the metrics server binds' }),
  logLevel: env.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, { default: 'info', doc: 'pino log level' }),
};

/** The runtime settings a worker's definition may give a default for, and their variables. */
const DEFAULTABLE = { concurrency: runtimeSpec.concurrency, batchMax: runtimeSpec.batchMax, batchLingerMs: runtimeSpec.batchLingerMs, pendingMax: runtimeSpec.pendingMax };

/** `pipeName`: the pipe's name inside DBFIFO_PIPE_DIR when DBFIFO_PIPE is not set. */
export function loadRuntimeConfig(pipeName: string, source: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const c = loadConfig(runtimeSpec, source);
  const pipe = path.resolve(c.pipe ?? path.join(c.pipeDir, pipeName));
  const unset = new Set((Object.keys(DEFAULTABLE) as (keyof typeof DEFAULTABLE)[]).filter((k) => !source[DEFAULTABLE[k].name]?.trim()));
  return {
    pipe,
    pipeDir: c.pipeDir,
    pipeMode: c.pipeMode,
    pipeGroup: c.pipeGroup,
    mode: c.mode,
    role: c.role,
    concurrency: c.concurrency,
    batchMax: c.batchMax,
    batchLingerMs: c.batchLingerMs,
    pendingMax: c.pendingMax,
    catchUpSettleMs: c.catchUpSettleMs,
    pipeSize: c.pipeSize,
    maxLineBytes: c.maxLineBytes,
    deadLetterFile: c.deadLetterFile ?? `${pipe}.dead`,
    reconcileIntervalMs: c.reconcileIntervalMs,
    shutdownTimeoutMs: c.shutdownTimeoutMs,
    redisUrl: c.redisUrl,
    direct: { attempts: c.directAttempts, backoffMs: c.directBackoffMs },
    queue: {
      attempts: c.attempts,
      backoffMs: c.backoffMs,
      rateMax: c.rateMax,
      rateDurationMs: c.rateDurationMs,
      prefix: c.queuePrefix,
      name: c.queueName ?? queueNameFor(pipe),
      keepCompleted: c.keepCompleted,
      lockDurationMs: c.lockDurationMs,
      stalledIntervalMs: c.stalledIntervalMs,
    },
    metricsPort: c.metricsPort,
    metricsHost: c.metricsHost,
    logLevel: c.logLevel,
    unset,
  };
}

/** The runtime settings with a worker definition's defaults applied where no variable was set. */
export function withDefinitionDefaults(rt: RuntimeConfig, defaults: RuntimeDefaults | undefined): RuntimeConfig {
  if (!defaults) return rt;
  const out = { ...rt };
  for (const k of rt.unset) {
    const v = defaults[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export interface DatabaseConfig {
  /** mysql://user:pass@host:port/db (a `?socketPath=/path` query works too). */
  url: string;
}

export const databaseSpec = {
  url: env.string('DATABASE_URL', { doc: 'mysql://user:password@host:port/database' }),
};

/** A URL with its password masked, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/:[^:@/]*@/, ':***@');
}

function mysqlUrlProblem(variable: string, url: string): string | undefined {
  return /^(mysql|mariadb):\/\//i.test(url) ? undefined : `${variable} must start with mysql:// (got ${JSON.stringify(redactUrl(url))})`;
}

export function loadDatabaseConfig(source: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const c = loadConfig(databaseSpec, source);
  const problem = mysqlUrlProblem('DATABASE_URL', c.url);
  if (problem) throw new ConfigError([problem]);
  return { url: c.url };
}

export const triggerCliSpec = {
  adminUrl: env.string('DBFIFO_ADMIN_URL', {
    optional: true,
    doc: '`dbfifo trigger`: the account that reads table definitions and creates or drops triggers; default DATABASE_URL',
  }),
  url: env.string('DATABASE_URL', { optional: true, doc: 'used by `dbfifo trigger` when DBFIFO_ADMIN_URL is unset' }),
};

/**
 * `dbfifo trigger` changes the schema, which a worker's account should not be able
 * to do: it connects with DBFIFO_ADMIN_URL (an account with the TRIGGER privilege)
 * and falls back to DATABASE_URL, so one all-powerful development account works too.
 */
export function loadTriggerCliConfig(source: NodeJS.ProcessEnv = process.env): { url: string; variable: 'DBFIFO_ADMIN_URL' | 'DATABASE_URL' } {
  const c = loadConfig(triggerCliSpec, source);
  const variable = c.adminUrl ? 'DBFIFO_ADMIN_URL' : 'DATABASE_URL';
  const url = c.adminUrl ?? c.url;
  if (!url) throw new ConfigError(['DBFIFO_ADMIN_URL (or DATABASE_URL) is required: mysql://user:password@host:port/ of an account with the TRIGGER privilege']);
  const problem = mysqlUrlProblem(variable, url);
  if (problem) throw new ConfigError([problem]);
  return { url, variable };
}

/** Defaults the CLI uses (`dbfifo status` with no directory lists DBFIFO_PIPE_DIR). */
export function loadCliConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadConfig({ pipeDir: runtimeSpec.pipeDir, maxLineBytes: runtimeSpec.maxLineBytes, pipeMode: runtimeSpec.pipeMode }, source);
}
