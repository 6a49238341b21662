// Public surface of @dbfifo/fifo-core (see API.md). Re-exports only.
export * from './contract.ts';
export { ConfigError, RolledBackError } from './errors.ts';
export {
  env,
  loadConfig,
  collectConfig,
  loadRuntimeConfig,
  loadDatabaseConfig,
  type Field,
  type FieldValue,
  type RuntimeConfig,
  type DatabaseConfig,
  type QueueConfig,
  type RetryPolicy,
} from './config.ts';
export { createLogger, type Logger } from './logger.ts';
export { createPool } from './db.ts';
export { waitForRow, type WaitForRowOptions, type FetchContext } from './wait-for-row.ts';
export { readCommitted, readCommittedOutcome, readCommittedMany, type ReadCommittedOptions, type ReadCommittedOutcome, type Queryable } from './read-committed.ts';
export { startWorker, type RunningWorker, type WorkerConfig } from './worker.ts';
export { runMain, EXIT_CONFIG } from './run-main.ts';
export { requireJsonObject, parseJsonLine } from './message.ts';
export { LineFramer, type FrameEvent } from './line-framer.ts';
export { ensureFifo, openPipe, PipeError } from './pipe-open.ts';
export { readDeadLetters, type DeadLetterEntry } from './dead-letter.ts';
export type { WorkerMetricsSnapshot } from './metrics.ts';
export type { CatchUpReason } from './catch-up.ts';
export { DEAD_LETTER_REASONS, REFUSAL_CODES, type DeadLetterReason } from './codes.ts';
// A worker's own metrics (Helpers.registry) use the same prom-client as the runtime.
export { Counter, Gauge, Registry } from 'prom-client';
// The building blocks every worker shares instead of writing its own.
export { forEachLimit } from './for-each-limit.ts';
export { Backoff, backoffDelay, type BackoffOptions } from './backoff.ts';
export { abortable, ABORTED } from './abortable.ts';
export { SharedLock } from './lock.ts';
export { Batcher, type BatcherOptions, type FlushFn } from './batcher.ts';
export { Slots } from './slots.ts';
export { QueuedLimiter, TokenBucket, type RateLimiter } from './rate-limit.ts';
