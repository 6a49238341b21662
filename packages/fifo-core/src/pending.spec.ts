import { describe, expect, it } from 'vitest';
import type { Message } from './contract.ts';
import { PendingSet } from './pending.ts';

let seq = 0;
const msg = (raw: string): Message<string> => ({ raw, json: undefined, body: raw, receivedAt: new Date(), id: `t:${++seq}`, pipe: '/p', attempt: 1, merged: 1 });

describe('PendingSet', () => {
  it('merges a doorbell into the pending one with its key (the newer stands for both) and keeps arrival order across keys', () => {
    const p = new PendingSet<string>({ max: 10 });
    expect(p.add(msg('a1'), 'a')).toBe('added');
    expect(p.add(msg('b1'), 'b')).toBe('added');
    expect(p.add(msg('a2'), 'a')).toBe('merged');
    expect(p.add(msg('a3'), 'a')).toBe('merged');
    expect(p.size).toBe(2);
    const taken = p.take(10);
    expect(taken.map((e) => [e.key, e.message.raw, e.message.merged])).toEqual([['a', 'a3', 3], ['b', 'b1', 1]]);
  });

  it('uses the worker merge function', () => {
    const p = new PendingSet<string>({ max: 10, merge: (o, n) => ({ ...n, body: `${o.body}+${n.body}` }) });
    p.add(msg('x'), 'k');
    p.add(msg('y'), 'k');
    expect(p.take(1)[0]!.message.body).toBe('x+y');
  });

  it('never hands out a busy key: a newer message waits behind it and becomes ready when it finishes', () => {
    const p = new PendingSet<string>({ max: 10 });
    p.add(msg('a1'), 'a');
    const [first] = p.take(10);
    expect(p.add(msg('a2'), 'a')).toBe('added');
    expect(p.add(msg('a3'), 'a')).toBe('merged');
    expect(p.take(10)).toEqual([]);
    p.finish(first!);
    expect(p.take(10).map((e) => e.message.raw)).toEqual(['a3']);
  });

  it('holds a failed entry for its retry time, merging newer doorbells into it and keeping its attempts', () => {
    const p = new PendingSet<string>({ max: 10 });
    p.add(msg('a1'), 'a', 0);
    const [e] = p.take(1);
    p.add(msg('a2'), 'a', 5);
    p.retry({ ...e!, attempts: 1 }, 100);
    expect(p.add(msg('a3'), 'a')).toBe('merged');
    expect(p.take(10)).toEqual([]);
    expect(p.promoteDue(50)).toBe(100);
    const [again] = (p.promoteDue(100), p.take(10));
    expect(again).toMatchObject({ key: 'a', attempts: 1, firstAt: 0 });
    expect(again!.message.raw).toBe('a3');
    expect(again!.message.merged).toBe(3);
  });

  it('answers over past the bound for a new key, but still merges, and keeps keyless messages apart', () => {
    const p = new PendingSet<string>({ max: 2 });
    expect(p.add(msg('n1'), undefined)).toBe('added');
    expect(p.add(msg('n2'), undefined)).toBe('added');
    expect(p.add(msg('n3'), undefined)).toBe('over');
    expect(p.add(msg('k1'), 'k')).toBe('over');
    expect(p.add(msg('marker'), 'm', Date.now(), { always: true })).toBe('added');
    expect(p.add(msg('m2'), 'm')).toBe('merged');
    expect(p.takeAll().map((e) => e.message.raw)).toEqual(['n1', 'n2', 'm2']);
  });
});
