// webhook-worker's error classes and its code registry: every code a line is
// refused with or a delivery fails with, and what it means. src/readme.spec.ts
// checks that README.md explains each one.
import { InvalidMessageError } from '@dbfifo/fifo-core';

export const WEBHOOK_CODES = {
  NOT_A_DOORBELL: 'the line is not a doorbell {"table","op","id"}: refused, written to the dead-letter file',
  UNKNOWN_TABLE: 'the doorbell names a table that is not in WEBHOOK_TABLES: refused, written to the dead-letter file',
  BAD_KEY: "the doorbell's id does not fit the table's primary key (other columns, a missing one, not a scalar): refused",
  RECEIVER_UNREACHABLE: 'no answer: the connection was refused, reset or could not be made (retried with backoff)',
  RECEIVER_TIMEOUT: 'no complete answer within WEBHOOK_TIMEOUT_MS (retried with backoff, same Idempotency-Key)',
  RECEIVER_ERROR: 'the receiver answered 408, 425, 429 or 5xx (retried with backoff; Retry-After is honoured up to WEBHOOK_RETRY_MAX_MS)',
  RECEIVER_REFUSED: 'the receiver answered another status outside 2xx (a 3xx or 4xx): retrying the same request cannot help, so it is dead-lettered at once',
  ATTEMPTS_EXHAUSTED: 'WEBHOOK_ATTEMPTS tries failed: the row is dead-lettered until a person redelivers it',
} as const;

export type WebhookCode = keyof typeof WEBHOOK_CODES;

/** A line webhook-worker refuses before any handler runs (fifo-core dead-letters it with its code). */
export class WebhookLineError extends InvalidMessageError {
  override name = 'WebhookLineError';
  constructor(message: string, code: 'NOT_A_DOORBELL' | 'UNKNOWN_TABLE' | 'BAD_KEY') {
    super(message, code);
  }
}

/** One POST that did not deliver: its code, and whether trying again later may help. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly code: 'RECEIVER_UNREACHABLE' | 'RECEIVER_TIMEOUT' | 'RECEIVER_ERROR' | 'RECEIVER_REFUSED',
    readonly o: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: o.cause });
  }

  get retryable(): boolean {
    return this.code !== 'RECEIVER_REFUSED';
  }
}
