import { describe, expect, it } from 'vitest';
import { InvalidMessageError } from '@dbfifo/fifo-core';
import { parseNewsEvent } from './message.ts';

const msg = (json: unknown) => ({ raw: JSON.stringify(json), json });

describe('parseNewsEvent', () => {
  it('reads what the triggers write', () => {
    expect(parseNewsEvent(msg({ table: 'news', op: 'insert', id: 3, version: 1, slug: 'a' }))).toEqual({ op: 'insert', id: 3, version: 1, staleSlugs: [] });
    expect(parseNewsEvent(msg({ table: 'news', op: 'update', id: 3, version: 4, slug: 'b', old_slug: 'a' }))).toEqual({ op: 'update', id: 3, version: 4, staleSlugs: ['a'] });
    expect(parseNewsEvent(msg({ table: 'news', op: 'update', id: 3, version: 4, slug: 'b', old_slug: null }))).toEqual({ op: 'update', id: 3, version: 4, staleSlugs: [] });
    expect(parseNewsEvent(msg({ table: 'news', op: 'delete', id: 3, slug: 'b' }))).toEqual({ op: 'delete', id: 3, staleSlugs: ['b'] });
  });

  it.each([
    ['not json', { raw: 'hello', json: undefined }],
    ['other table', msg({ table: 'users', op: 'insert', id: 1 })],
    ['bad op', msg({ table: 'news', op: 'truncate', id: 1 })],
    ['string id', msg({ table: 'news', op: 'insert', id: '1' })],
    ['negative id', msg({ table: 'news', op: 'insert', id: -1 })],
    ['array', msg([1, 2])],
  ])('refuses %s', (_name, m) => {
    expect(() => parseNewsEvent(m)).toThrow(InvalidMessageError);
  });
});
