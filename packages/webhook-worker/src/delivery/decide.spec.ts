import { describe, expect, it } from 'vitest';
import { decide, type LedgerEntry, type Seen } from './decide.ts';

const row = (v: string): Seen => ({ state: 'committed', row: { id: 1, v }, version: v });
const absent: Seen = { state: 'absent' };
const has = (version: string | null, more: Partial<LedgerEntry> = {}): LedgerEntry => ({
  deliveredVersion: version, pendingVersion: null, pendingKey: null, attempts: 0, retryScheduled: false, dead: false, ...more,
});
const doorbell = { retrying: false, doorbellOp: 'update' as const };

describe('decide', () => {
  it('sends what the receiver does not have: insert, update, delete', () => {
    expect(decide(row('v1'), undefined, doorbell)).toMatchObject({ kind: 'send', op: 'insert', version: 'v1' });
    expect(decide(row('v2'), has('v1'), doorbell)).toMatchObject({ kind: 'send', op: 'update', version: 'v2' });
    expect(decide(absent, has('v1'), doorbell)).toMatchObject({ kind: 'send', op: 'delete', version: 'deleted', row: null });
  });

  it('sends nothing the receiver has, and ends a failure the row left behind', () => {
    expect(decide(row('v1'), has('v1'), doorbell)).toEqual({ kind: 'in-line', settle: false });
    expect(decide(row('v1'), has('v1', { pendingVersion: 'v2', attempts: 2 }), { retrying: true })).toEqual({ kind: 'in-line', settle: true });
  });

  it('holds a row whose retry is scheduled or that is dead-lettered, unless it is its retry', () => {
    expect(decide(row('v3'), has('v1', { retryScheduled: true, attempts: 1 }), doorbell)).toEqual({ kind: 'held' });
    expect(decide(row('v3'), has('v1', { dead: true }), doorbell)).toEqual({ kind: 'held' });
    expect(decide(row('v3'), has('v1', { retryScheduled: true, attempts: 1 }), { retrying: true })).toMatchObject({ kind: 'send', op: 'update', version: 'v3' });
  });

  it('forgets a row that is gone before the receiver had it; no row and no ledger is a rollback unless the doorbell was a delete', () => {
    expect(decide(absent, has(null, { pendingVersion: 'v1', attempts: 1 }), { retrying: true })).toEqual({ kind: 'forget' });
    expect(decide(absent, undefined, { retrying: false, doorbellOp: 'insert' })).toEqual({ kind: 'rolled-back' });
    expect(decide(absent, undefined, { retrying: false, doorbellOp: 'delete' })).toEqual({ kind: 'in-line', settle: false });
  });
});
