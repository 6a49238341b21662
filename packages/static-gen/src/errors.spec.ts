import { describe, expect, it } from 'vitest';
import { PermanentError } from '@dbfifo/fifo-core';
import { EditNotCommittedError, UnsafeSlugError } from './errors.ts';

describe('static-gen errors', () => {
  it('an unsafe slug is never retried; a long transaction is', () => {
    expect(new UnsafeSlugError('../x', 7, 'rule')).toBeInstanceOf(PermanentError);
    expect(new UnsafeSlugError('../x', 7, 'rule').code).toBe('UNSAFE_SLUG');
    expect(new EditNotCommittedError(7, 2000)).not.toBeInstanceOf(PermanentError);
    expect(new EditNotCommittedError(7, 2000).code).toBe('EDIT_NOT_COMMITTED');
  });
});
