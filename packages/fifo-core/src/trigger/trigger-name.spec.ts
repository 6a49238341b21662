import { describe, expect, it } from 'vitest';
import { TRIGGER_NAME_MAX, triggerName } from './trigger-name.ts';

describe('triggerName', () => {
  it('is dbfifo_<table>_<op>, and dbfifo_<table>_<op>_<pipe> for a second pipe', () => {
    expect(triggerName('orders', 'insert')).toBe('dbfifo_orders_insert');
    expect(triggerName('orders', 'delete', 'audit')).toBe('dbfifo_orders_delete_audit');
  });

  it('shortens names over 64 characters with a hash: unique, the same every time, op still visible', () => {
    const long = 't'.repeat(64);
    const a = triggerName(long, 'insert');
    const b = triggerName(long, 'update');
    const c = triggerName(`${'t'.repeat(63)}u`, 'insert');
    for (const n of [a, b, c]) expect([...n].length).toBeLessThanOrEqual(TRIGGER_NAME_MAX);
    expect(a).toBe(triggerName(long, 'insert'));
    expect(new Set([a, b, c]).size).toBe(3);
    expect(a).toMatch(/^dbfifo_t+_[0-9a-f]{8}_insert$/);
    expect(b.endsWith('_update')).toBe(true);
  });

  it('counts characters, not bytes (identifiers are up to 64 characters)', () => {
    const n = triggerName('ü'.repeat(50), 'delete');
    expect([...n].length).toBe(TRIGGER_NAME_MAX);
  });

  it('hashes a pipe suffix with characters other than letters, digits and _', () => {
    const a = triggerName('orders', 'insert', 'a-b');
    const b = triggerName('orders', 'insert', 'a_b');
    expect(a).toMatch(/^dbfifo_orders_[0-9a-f]{8}_insert$/);
    expect(b).toBe('dbfifo_orders_insert_a_b');
    expect(triggerName('orders', 'insert', 'a b')).not.toBe(a);
  });
});
