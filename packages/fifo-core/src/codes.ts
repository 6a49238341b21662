// Every reason the runtime gives for setting a line aside, in one registry:
// it is the `reason` of a dead-letter entry and of dbfifo_lines_invalid_total,
// and the README documents each one (readme.spec.ts checks). A worker's own
// InvalidMessageError/PermanentError codes appear in lower case beside these.

export const DEAD_LETTER_REASONS = {
  too_long: 'the line was longer than DBFIFO_MAX_LINE_BYTES (the rest up to its newline was skipped)',
  invalid_utf8: 'the line was not UTF-8 (raw kept as base64)',
  not_json: 'parse() needed a JSON object (requireJsonObject)',
  invalid_message: 'parse() refused the line (InvalidMessageError without a code of its own)',
  parse_failed: 'parse() threw something other than InvalidMessageError',
  key_failed: 'key() threw',
  handler_permanent: 'the handler said retrying will not help (PermanentError)',
  handler_exhausted: 'the handler failed DBFIFO_DIRECT_ATTEMPTS times (a doorbell is also caught up from the rows)',
  handler_shutdown: 'the handler failed and shutdown came before its next try',
  pending_full: 'DBFIFO_PENDING_MAX messages were pending and this one has no key or the worker no reconcile, so no catch-up could recover it',
  unhandled_at_shutdown: 'taken off the pipe, still pending when the shutdown deadline passed',
  unrelayed_at_shutdown: 'queue mode: taken off the pipe, not handed to Redis when the shutdown deadline passed',
} as const;

export type DeadLetterReason = keyof typeof DEAD_LETTER_REASONS;

/** The codes of InvalidMessageError the runtime itself raises (a worker adds its own). */
export const REFUSAL_CODES = {
  NOT_JSON: DEAD_LETTER_REASONS.not_json,
  INVALID_MESSAGE: DEAD_LETTER_REASONS.invalid_message,
  PARSE_FAILED: DEAD_LETTER_REASONS.parse_failed,
  KEY_FAILED: DEAD_LETTER_REASONS.key_failed,
} as const;
