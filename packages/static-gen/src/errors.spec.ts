import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '@dbfifo/fifo-core';
import { EditNotCommittedError, STATIC_CODES, UnsafeSlugError } from './errors.ts';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('STATIC_CODES', () => {
  it.each(Object.keys(STATIC_CODES))('%s is explained in the README', (code) => {
    expect(README.split('\n').some((l) => l.startsWith(`| \`${code}\` |`)), `a "| \`${code}\` |" row`).toBe(true);
  });

  it('an unsafe slug is never retried; a long transaction is', () => {
    expect(new UnsafeSlugError('../x', 7, 'rule')).toBeInstanceOf(PermanentError);
    expect(new UnsafeSlugError('../x', 7, 'rule').code).toBe('UNSAFE_SLUG');
    expect(new EditNotCommittedError(7, 2000)).not.toBeInstanceOf(PermanentError);
    expect(new EditNotCommittedError(7, 2000).code).toBe('EDIT_NOT_COMMITTED');
  });
});
