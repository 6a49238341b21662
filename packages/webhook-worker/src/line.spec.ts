import type { Message } from '@dbfifo/fifo-core';
import { describe, expect, it } from 'vitest';
import type { TableKey } from './delivery/row-key.ts';
import { WebhookLineError } from './errors.ts';
import { parseWebhookLine } from './line.ts';

const tables = new Map<string, TableKey>([
  ['orders', { table: 'orders', columns: ['shop_id', 'order_no'], binary: [false, false] }],
  ['news', { table: 'news', columns: ['id'], binary: [false] }],
  ['blobs', { table: 'blobs', columns: ['hash'], binary: [true] }],
]);

const message = (raw: string): Message<unknown> => {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = undefined;
  }
  return { raw, json, body: json ?? raw, receivedAt: new Date(), id: 'test:1', pipe: '/run/dbfifo/webhook', attempt: 1, merged: 1 };
};

const code = (raw: string) => {
  try {
    parseWebhookLine(message(raw), tables);
    return 'accepted';
  } catch (e) {
    return e instanceof WebhookLineError ? e.code : 'not a line error';
  }
};

describe('parseWebhookLine', () => {
  it('reads a composite key in key order, a single key, and binary keys as upper-case hex', () => {
    expect(parseWebhookLine(message('{"table":"orders","op":"update","id":{"order_no":"A-7","shop_id":1}}'), tables)).toEqual({
      table: 'orders',
      op: 'update',
      row: { parts: [1, 'A-7'], text: '[1,"A-7"]' },
    });
    expect(parseWebhookLine(message('{"table":"news","op":"delete","id":42}'), tables).row.text).toBe('[42]');
    expect(parseWebhookLine(message('{"table":"blobs","op":"insert","id":"00ff"}'), tables).row.text).toBe('["00FF"]');
  });

  it('refuses what is not a doorbell, another table, or a key that does not fit, each with its code', () => {
    expect(code('13113668891')).toBe('NOT_A_DOORBELL');
    expect(code('{"table":"orders","op":"upsert","id":1}')).toBe('NOT_A_DOORBELL');
    expect(code('{"table":"users","op":"insert","id":1}')).toBe('UNKNOWN_TABLE');
    expect(code('{"table":"orders","op":"insert","id":1}')).toBe('BAD_KEY');
    expect(code('{"table":"orders","op":"insert","id":{"shop_id":1}}')).toBe('BAD_KEY');
    expect(code('{"table":"news","op":"insert","id":{"id":[1]}}')).toBe('BAD_KEY');
    expect(code('{"table":"blobs","op":"insert","id":"xyz"}')).toBe('BAD_KEY');
  });
});
