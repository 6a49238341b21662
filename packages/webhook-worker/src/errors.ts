// webhook-worker's error class and its code registry: every code a line can be
// refused with, and what it means. src/readme.spec.ts checks README.md lists each.
import { InvalidMessageError } from '@dbfifo/fifo-core';

export const WEBHOOK_CODES = {
  NOT_A_DOORBELL: 'the line is not a doorbell {"table","op","id"}: refused, written to the dead-letter file',
  UNKNOWN_TABLE: 'the doorbell names a table this worker does not handle: refused, written to the dead-letter file',
} as const;

export type WebhookCode = keyof typeof WEBHOOK_CODES;

/** A line webhook-worker refuses before any handler runs (fifo-core dead-letters it with its code). */
export class WebhookLineError extends InvalidMessageError {
  override name = 'WebhookLineError';
  constructor(message: string, code: WebhookCode) {
    super(message, code);
  }
}
