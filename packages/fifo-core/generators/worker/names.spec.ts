import { describe, expect, it } from 'vitest';
import { workerNames } from './names.ts';

describe('nx g @dbfifo/fifo-core:worker: names', () => {
  it('derives the pipe, table and code names from the worker name', () => {
    expect(workerNames({ name: 'order-events-worker' })).toEqual({
      name: 'order-events-worker',
      pipe: 'order-events',
      table: 'order_events',
      className: 'OrderEvents',
      propertyName: 'orderEvents',
      constantName: 'ORDER_EVENTS',
    });
    expect(workerNames({ name: 'audit' })).toMatchObject({ pipe: 'audit', table: 'audit', className: 'Audit' });
    expect(workerNames({ name: 'webhook-worker', table: 'orders' })).toMatchObject({ pipe: 'webhook', table: 'orders', constantName: 'WEBHOOK' });
  });

  it('refuses names that would not work as a package, pipe or table, naming each', () => {
    expect(() => workerNames({ name: 'Orders' })).toThrow(/name "Orders"/);
    expect(() => workerNames({ name: 'fifo-core' })).toThrow(/taken/);
    expect(() => workerNames({ name: 'ok-worker', pipe: '../x' })).toThrow(/--pipe "..\/x"/);
    expect(() => workerNames({ name: 'ok-worker', table: 'drop table' })).toThrow(/--table "drop table"/);
  });
});
