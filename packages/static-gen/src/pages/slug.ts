// Every path static-gen writes or removes is built here, from a slug that
// passed one strict pattern. Nothing else joins user data into a path.
import { join } from 'node:path';
import { UnsafeSlugError } from '../errors.ts';

/** Lowercase ASCII letters, digits and inner hyphens; 1–128 characters. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,126}[a-z0-9])?$/;
const SLUG_RULE = `a slug must match ${SLUG_PATTERN.source} (lowercase a-z, 0-9 and inner hyphens, at most 128 characters)`;

export function isSafeSlug(slug: unknown): slug is string {
  return typeof slug === 'string' && SLUG_PATTERN.test(slug);
}

/** `<outDir>/news/<slug>.html`, or UnsafeSlugError. */
export function articlePath(outDir: string, slug: unknown, articleId?: number): string {
  if (!isSafeSlug(slug)) throw new UnsafeSlugError(slug, articleId, SLUG_RULE);
  return join(outDir, 'news', `${slug}.html`);
}

/** The slug of a file name in news/, or undefined when it is not one of ours. */
export function slugOfFile(name: string): string | undefined {
  if (!name.endsWith('.html')) return undefined;
  const slug = name.slice(0, -'.html'.length);
  return isSafeSlug(slug) ? slug : undefined;
}
