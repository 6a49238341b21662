import type { Message } from '@dbfifo/fifo-core';
import { describe, expect, it } from 'vitest';
import { WebhookLineError } from './errors.ts';
import { parseWebhookLine } from './line.ts';

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
    parseWebhookLine(message(raw));
  } catch (e) {
    return e instanceof WebhookLineError ? e.code : 'not a line error';
  }
  return 'accepted';
};

describe('parseWebhookLine', () => {
  it('reads the doorbell the generated triggers ring', () => {
    expect(parseWebhookLine(message('{"table":"orders","op":"update","id":42}'))).toEqual({ table: 'orders', op: 'update', id: 42 });
  });

  it('refuses anything else with a code', () => {
    expect(code('13113668891')).toBe('NOT_A_DOORBELL');
    expect(code('{"table":"orders","op":"upsert","id":1}')).toBe('NOT_A_DOORBELL');
    expect(code('{"table":"orders","op":"insert","id":"1"}')).toBe('NOT_A_DOORBELL');
    expect(code('{"table":"not_orders","op":"insert","id":1}')).toBe('UNKNOWN_TABLE');
  });
});
