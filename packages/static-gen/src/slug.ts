// Every path static-gen writes or removes is built here, from a slug that
// passed one strict pattern. Nothing else joins user data into a path.
import { join } from 'node:path';
import { PermanentError } from '@dbfifo/fifo-core';

/** Lowercase ASCII letters, digits and inner hyphens; 1–128 characters. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,126}[a-z0-9])?$/;

export function isSafeSlug(slug: unknown): slug is string {
  return typeof slug === 'string' && SLUG_PATTERN.test(slug);
}

/** Refused slug: retrying cannot help until someone edits the row. */
export class UnsafeSlugError extends PermanentError {
  override name = 'UnsafeSlugError';
  constructor(readonly slug: unknown, readonly articleId?: number) {
    super(
      `refusing slug ${JSON.stringify(slug)}${articleId === undefined ? '' : ` of news #${articleId}`}: ` +
        `a slug must match ${SLUG_PATTERN.source} (lowercase a-z, 0-9 and inner hyphens, at most 128 characters)`,
      'UNSAFE_SLUG',
    );
  }
}

/** `<outDir>/news/<slug>.html`, or UnsafeSlugError. */
export function articlePath(outDir: string, slug: unknown, articleId?: number): string {
  if (!isSafeSlug(slug)) throw new UnsafeSlugError(slug, articleId);
  return join(outDir, 'news', `${slug}.html`);
}

/** The slug of a file name in news/, or undefined when it is not one of ours. */
export function slugOfFile(name: string): string | undefined {
  if (!name.endsWith('.html')) return undefined;
  const slug = name.slice(0, -'.html'.length);
  return isSafeSlug(slug) ? slug : undefined;
}
