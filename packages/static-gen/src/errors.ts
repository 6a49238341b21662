// static-gen's error classes and the codes they carry. A code is what an
// operator sees in a log line's `err.code` and in a dead-letter entry;
// every code is explained in README.md (errors.spec.ts checks it). Callers
// tell errors apart with instanceof or the code; `name` is only for people.
import { InvalidMessageError, PermanentError } from '@dbfifo/fifo-core';

export const STATIC_CODES = {
  NOT_A_NEWS_LINE: 'the line is not a news doorbell ({"table":"news","op":"insert|update|delete","id":N,…}): refused before any render, dead-lettered as not_a_news_line',
  UNSAFE_SLUG: 'a published article\'s slug is outside the slug pattern: never turned into a path, not retried (PermanentError) until someone edits the row',
  EDIT_NOT_COMMITTED: 'the edit a doorbell rang for was still uncommitted after STATIC_ROW_WAIT_MS (a long transaction): retried with backoff, then caught up from the rows',
} as const;

export type StaticCode = keyof typeof STATIC_CODES;

/** The line cannot be a doorbell of the news table (bad JSON shape, table, op, id…). */
export class NotANewsLineError extends InvalidMessageError {
  override name = 'NotANewsLineError';
  constructor(detail: string) {
    super(detail, 'NOT_A_NEWS_LINE' satisfies StaticCode);
  }
}

/** Refused slug: retrying cannot help until someone edits the row. `rule` says what a slug must be (pages/slug.ts). */
export class UnsafeSlugError extends PermanentError {
  override name = 'UnsafeSlugError';
  constructor(readonly slug: unknown, readonly articleId: number | undefined, rule: string) {
    super(`refusing slug ${JSON.stringify(slug)}${articleId === undefined ? '' : ` of news #${articleId}`}: ${rule}`, 'UNSAFE_SLUG' satisfies StaticCode);
  }
}

/**
 * The writer of the edit still held the row when the commit-wait ran out. Not
 * a rolled-back edit (that would be RolledBackError): the runtime retries it,
 * and once it gives up, a catch-up from the rows renders whatever committed.
 */
export class EditNotCommittedError extends Error {
  override name = 'EditNotCommittedError';
  readonly code: StaticCode = 'EDIT_NOT_COMMITTED';
  constructor(readonly articleId: number, waitedMs: number) {
    super(`news #${articleId}: the edit was still uncommitted after ${waitedMs} ms (a long transaction): retried`);
  }
}
