// The contract every dbfifo worker is written against, in the spirit of
// graphile-worker: the runtime (reader, pending set, batches, BullMQ relay and
// consumer, reconcile, catch-up, shutdown) is fifo-core's job; a worker
// package only says what a message means and how to bring the world in line
// with its tables.
//
// Glossary: these words, and only these, are used in code, logs and docs.
//
//   line       bytes up to '\n' on a pipe, as a trigger's fifo_write wrote them.
//   message    a line the runtime accepted (framed, UTF-8, parsed): what a
//              handler sees.
//   doorbell   a message that names a row ({"table","op","id"}): "look at this
//              row", never the data itself. The row is the truth, so a doorbell
//              may be merged, delayed or dropped, as long as the worker catches
//              up from the rows.
//   key        what a doorbell rings for (`key(message)`, e.g. "sms_outbox:42").
//              Pending messages with one key merge into one; a key is never
//              handled twice at once, and its messages are handled in order.
//   pending    messages taken off the pipe and not handled yet (bounded by
//              DBFIFO_PENDING_MAX).
//   batch      the messages handed to one handler call: at most one per key,
//              chosen by the runtime from what is pending, bounded in size
//              (DBFIFO_BATCH_MAX) and age (DBFIFO_BATCH_LINGER_MS).
//   reconcile  the worker's level-triggered pass that brings the world in line
//              with its tables; at start and every DBFIFO_RECONCILE_INTERVAL_MS.
//   catch-up   a reconcile the runtime schedules itself because a doorbell may
//              have been lost (the pipe was seen full, doorbells were dropped
//              past the pending bound, a handler gave up, a relay restarted).
//              It runs as soon as the worker has capacity, and again while
//              reconcile reports `more`.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** One line read from a pipe, as a handler sees it. */
export interface Message<T = unknown> {
  /** The line without its trailing `\n` (and without a `\r` before it). */
  raw: string;
  /** `JSON.parse(raw)` when the line is JSON, otherwise undefined. */
  json: unknown;
  /** What the worker's `parse()` returned (the raw/json message when it has none). */
  body: T;
  /** When the reader took the line off the pipe. */
  receivedAt: Date;
  /** Unique per line: `<pipe-name>:<reader-start>:<seq>`; the BullMQ job id in queue mode. */
  id: string;
  /** Absolute path of the pipe the line came from. */
  pipe: string;
  /** 1 on first delivery; higher on retries. */
  attempt: number;
  /** How many doorbells this message stands for (1, or more after merging by key). */
  merged: number;
}

/** What a handler, parse, key or reconcile function receives besides the message. */
export interface Helpers<C> {
  /** pino child logger bound to {worker, pipe, msg id}. */
  log: Logger;
  /** Aborted when the worker is shutting down: stop waiting, give up politely. */
  signal: AbortSignal;
  /** The worker's validated configuration (runtime part plus its own part). */
  config: C;
  /** The worker's prom-client registry: metrics a worker registers here are served on /metrics with the runtime's. */
  registry: Registry;
}

/** Result a reconcile pass reports; logged and counted by the runtime. */
export interface ReconcileReport {
  /** How many things were out of line and got fixed (rows sent, pages written, bans applied…). */
  fixed: number;
  /**
   * True when the pass stopped before everything was in line (a bounded pass,
   * a provider still down): the runtime runs catch-up again, with backoff.
   */
  more?: boolean;
  /** Free-form details for the log. */
  [detail: string]: unknown;
}

/**
 * What a batch handler returns: nothing when every message was handled, or
 * one entry per message, in order: `undefined` for handled, the error it
 * failed with otherwise (graphile-worker's convention for batch jobs).
 */
export type BatchOutcome = void | readonly (Error | undefined)[];

/** Runtime settings a worker may give its own defaults for; an environment variable still wins. */
export interface RuntimeDefaults {
  /** DBFIFO_CONCURRENCY: handler calls running at once (for a batch handler: batches). */
  concurrency?: number;
  /** DBFIFO_BATCH_MAX: most messages in one batch. */
  batchMax?: number;
  /** DBFIFO_BATCH_LINGER_MS: how long the first pending message may wait for others to join its batch. */
  batchLingerMs?: number;
  /** DBFIFO_PENDING_MAX: pending messages tracked before new doorbells are dropped for a catch-up. */
  pendingMax?: number;
}

interface DefinitionBase<C, T> {
  /** Worker name: the Nx project, systemd instance, default pipe name, log and metric label (e.g. 'sms-worker'). */
  name: string;
  /** Runtime defaults of this worker (see RuntimeDefaults); DBFIFO_* variables override them. */
  defaults?: RuntimeDefaults;
  /**
   * Turn a message into the handler's input, or throw InvalidMessageError:
   * the line is then refused (logged, counted, dead-lettered) before any
   * handler runs. Omit to accept every line.
   */
  parse?(message: Message<unknown>, helpers: Helpers<C>): T;
  /**
   * The key a doorbell rings for. Pending messages with one key merge (see
   * `merge`); a key is handled by one handler call at a time, in arrival
   * order; in queue mode it is the BullMQ deduplication id of a waiting job.
   * Undefined: the message merges with nothing and is never dropped for a
   * catch-up (set aside in the dead-letter file instead when over the bound).
   */
  key?(message: Message<T>): string | undefined;
  /**
   * Merge a newer pending message for a key into the older one. Default: the
   * newer one stands for both (the handler re-reads the row anyway).
   */
  merge?(older: Message<T>, newer: Message<T>): Message<T>;
  /** Bring the world in line with the tables (level-triggered): at start, every interval, and on catch-up. */
  reconcile?(helpers: Helpers<C>): Promise<ReconcileReport | void>;
  /** Open pools etc. before the first message; called once. */
  start?(helpers: Helpers<C>): Promise<void>;
  /** Close pools etc. after the last message; called once on shutdown. */
  stop?(helpers: Helpers<C>): Promise<void>;
}

/** A worker that handles one message per call. */
export interface SingleWorkerDefinition<C, T = unknown> extends DefinitionBase<C, T> {
  /** Do the work. Throw PermanentError to say "do not retry", RolledBackError when the row never committed. */
  handle(message: Message<T>, helpers: Helpers<C>): Promise<void>;
  handleBatch?: never;
}

/** A worker that handles what is pending in one call: one claim, one commit-wait, one command per batch. */
export interface BatchWorkerDefinition<C, T = unknown> extends DefinitionBase<C, T> {
  /**
   * Do the work for several messages at once (at most one per key). Throwing
   * fails the whole batch; returning per-message outcomes fails only those.
   */
  handleBatch(messages: readonly Message<T>[], helpers: Helpers<C>): Promise<BatchOutcome>;
  handle?: never;
}

export type WorkerDefinition<C, T = unknown> = SingleWorkerDefinition<C, T> | BatchWorkerDefinition<C, T>;

/** Handler says: retrying will not help (invalid number, refused address). Maps to BullMQ's UnrecoverableError. */
export class PermanentError extends Error {
  override name = 'PermanentError';
  constructor(message: string, readonly code = 'PERMANENT', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The line itself is unusable (schema, JSON, size, encoding): refused and dead-lettered, never retried. */
export class InvalidMessageError extends PermanentError {
  override name = 'InvalidMessageError';
  constructor(message: string, code = 'INVALID_MESSAGE', options?: { cause?: unknown }) {
    super(message, code, options);
  }
}
