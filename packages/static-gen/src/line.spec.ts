import { describe, expect, it } from 'vitest';
import { InvalidMessageError } from '@dbfifo/fifo-core';
import { NotANewsLineError } from './errors.ts';
import { mergeNewsLines, newsKey, parseNewsLine, type NewsLine } from './line.ts';

const msg = (json: unknown) => ({ raw: JSON.stringify(json), json });

describe('parseNewsLine', () => {
  it('reads what the generated triggers write', () => {
    expect(parseNewsLine(msg({ table: 'news', op: 'insert', id: 3, version: 1, slug: 'a' }))).toEqual({ op: 'insert', id: 3, version: 1, staleSlugs: [] });
    expect(parseNewsLine(msg({ table: 'news', op: 'update', id: 3, version: 4, slug: 'b', old: { slug: 'a' } }))).toEqual({ op: 'update', id: 3, version: 4, staleSlugs: ['a'] });
    // "old" is on every UPDATE: the same slug is not a rename
    expect(parseNewsLine(msg({ table: 'news', op: 'update', id: 3, version: 4, slug: 'b', old: { slug: 'b' } }))).toEqual({ op: 'update', id: 3, version: 4, staleSlugs: [] });
    expect(parseNewsLine(msg({ table: 'news', op: 'delete', id: 3, version: 4, slug: 'b' }))).toEqual({ op: 'delete', id: 3, version: 4, staleSlugs: ['b'] });
  });

  it.each([
    ['not json', { raw: 'hello', json: undefined }],
    ['other table', msg({ table: 'users', op: 'insert', id: 1 })],
    ['bad op', msg({ table: 'news', op: 'truncate', id: 1 })],
    ['string id', msg({ table: 'news', op: 'insert', id: '1' })],
    ['negative id', msg({ table: 'news', op: 'insert', id: -1 })],
    ['fractional version', msg({ table: 'news', op: 'update', id: 1, version: 1.5 })],
    ['old that is not an object', msg({ table: 'news', op: 'update', id: 1, old: 'a' })],
    ['array', msg([1, 2])],
  ])('refuses %s with the NOT_A_NEWS_LINE code', (_name, m) => {
    let err: unknown;
    try {
      parseNewsLine(m);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NotANewsLineError);
    expect(err).toBeInstanceOf(InvalidMessageError); // fifo-core refuses and dead-letters it
    expect((err as NotANewsLineError).code).toBe('NOT_A_NEWS_LINE');
  });
});

describe('a burst of doorbells of one article', () => {
  const line = (o: Partial<NewsLine> & Pick<NewsLine, 'op'>): NewsLine => ({ id: 7, staleSlugs: [], ...o });

  it('is keyed by the article', () => {
    expect(newsKey(line({ op: 'update' }))).toBe('news:7');
  });

  it('merges into one: the newer op, every stale slug, the highest version', () => {
    const renamed = mergeNewsLines(line({ op: 'update', version: 3, staleSlugs: ['a'] }), line({ op: 'update', version: 4, staleSlugs: ['b'] }));
    expect(renamed).toEqual({ op: 'update', id: 7, version: 4, staleSlugs: ['a', 'b'] });
    // a doorbell read late (a retry) never lowers what the batch waits for
    expect(mergeNewsLines(line({ op: 'update', version: 5 }), line({ op: 'update', version: 4 })).version).toBe(5);
    expect(mergeNewsLines(line({ op: 'update', version: 5, staleSlugs: ['a'] }), line({ op: 'delete', version: 5, staleSlugs: ['b'] }))).toMatchObject({ op: 'delete', staleSlugs: ['a', 'b'] });
  });

  it('a row inserted again after a delete counts its versions from 1', () => {
    const again = mergeNewsLines(line({ op: 'delete', version: 9, staleSlugs: ['old'] }), line({ op: 'insert', version: 1 }));
    expect(again).toEqual({ op: 'insert', id: 7, version: 1, staleSlugs: ['old'] });
  });
});
