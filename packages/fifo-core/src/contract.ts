// The handler contract every dbfifo worker is written against.
// A worker is `(message, helpers)` in the spirit of graphile-worker: the
// runtime (reader, direct dispatch, BullMQ relay/consumer, reconcile,
// shutdown) is fifo-core's job; a worker package only says what one line means.
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
  /** 1 on first delivery; higher on queue-mode retries. */
  attempt: number;
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
  /** Free-form details for the log. */
  [detail: string]: unknown;
}

export interface WorkerDefinition<C, T = unknown> {
  /** Worker name: also the default pipe name and log/metric label, e.g. 'sms'. */
  name: string;
  /**
   * Turn a message into the handler's input, or throw InvalidMessageError:
   * the line is then refused (logged, counted, dead-lettered) before the
   * handler runs. Omit to accept every line.
   */
  parse?(message: Message<unknown>, helpers: Helpers<C>): T;
  /**
   * Ordering / dedupe key. Direct mode never runs two messages with the same
   * key at once and keeps their order; queue mode uses it as the BullMQ
   * deduplication id while a job with that key is waiting.
   */
  key?(message: Message<T>): string | undefined;
  /** Do the work. Throw PermanentError to say "do not retry". */
  handle(message: Message<T>, helpers: Helpers<C>): Promise<void>;
  /** Bring the world in line with the tables (level-triggered). Run at start and every interval. */
  reconcile?(helpers: Helpers<C>): Promise<ReconcileReport | void>;
  /** Open pools etc. before the first message; called once. */
  start?(helpers: Helpers<C>): Promise<void>;
  /** Close pools etc. after the last message; called once on shutdown. */
  stop?(helpers: Helpers<C>): Promise<void>;
}

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
