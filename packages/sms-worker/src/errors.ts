// The errors a message of the sms pipe can fail with, and the registry of
// sms-worker's own codes (the `code` of these errors, and what it writes to
// sms_outbox.error_code itself). src/errors.spec.ts checks each is in README.md.
// The provider's own codes (21211, 20003 …) are in provider/classify.ts.
import { PermanentError } from '@dbfifo/fifo-core';

export const SMS_CODES = {
  INVALID_NUMBER: "the row's mobile is not a valid number (for SMS_DEFAULT_REGION): row failed, no API call, not retried",
  PROVIDER_UNAVAILABLE: 'the provider failed SMS_BREAKER_FAILURES requests in a row: no request was made, the row is pending again; retried, then caught up',
  OUTCOME_UNKNOWN: "a request may have reached the provider and the provider could not be asked: row 'unknown' until a lookup decides",
  SEND_EXHAUSTED: 'SMS_SEND_ATTEMPTS requests failed, none of which reached the provider: the row is pending again; retried, then caught up',
  ROW_UNCOMMITTED: "the row's transaction was still open after SMS_ROW_WAIT_MS: retried, then caught up",
  SHUTDOWN: "shutdown began before the row's transaction ended: retried (queue mode) or sent by the next start's reconcile",
} as const;

export type SmsCode = keyof typeof SMS_CODES;

/** A failure worth retrying later: the row is still to be sent. */
export class SmsError extends Error {
  override name = 'SmsError';
  constructor(readonly code: SmsCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The row's mobile is not a phone number: the row is `failed`, nothing was sent, nothing is retried. */
export class InvalidNumberError extends PermanentError {
  override name = 'InvalidNumberError';
  constructor(message: string) {
    super(message, 'INVALID_NUMBER' satisfies SmsCode);
  }
}

/** The provider refused the text for good; `code` is its own (21211, 21610, 20003 …), as in error_code. */
export class ProviderRefusedError extends PermanentError {
  override name = 'ProviderRefusedError';
}
