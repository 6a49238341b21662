import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { UnsafeSlugError } from '../errors.ts';
import { articlePath, isSafeSlug, slugOfFile } from './slug.ts';

describe('slug safety', () => {
  it.each(['a', 'hello-world', 'x1', '2026-budget', 'a'.repeat(128)])('accepts %j', (slug) => {
    expect(isSafeSlug(slug)).toBe(true);
    expect(articlePath('/srv/out', slug)).toBe(join('/srv/out/news', `${slug}.html`));
  });

  it.each([
    '../../etc/passwd', '..', '.', 'a/b', 'a\\b', '/etc/passwd', '', '-a', 'a-', 'A', 'a b', 'a.html', 'a\0b',
    'caf\u00e9', '\u2024\u2024', 'a\u2215b', '\uff0e\uff0e', 'a'.repeat(129), 'a\n', 'x%2f..',
  ])('refuses %j with a clear error naming the pattern', (slug) => {
    expect(isSafeSlug(slug)).toBe(false);
    expect(() => articlePath('/srv/out', slug, 7)).toThrow(UnsafeSlugError);
    expect(() => articlePath('/srv/out', slug, 7)).toThrow(/refusing slug .* of news #7: a slug must match/);
  });

  it('refuses non-strings', () => {
    expect(() => articlePath('/srv/out', 42)).toThrow(UnsafeSlugError);
  });

  it('recognises only its own page files', () => {
    expect(slugOfFile('hello.html')).toBe('hello');
    expect(slugOfFile('.hello.html.123.abcdefabcdef.tmp')).toBeUndefined();
    expect(slugOfFile('Readme.html')).toBeUndefined();
    expect(slugOfFile('hello.htm')).toBeUndefined();
  });
});
