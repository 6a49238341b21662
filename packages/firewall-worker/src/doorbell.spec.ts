import { describe, expect, it } from 'vitest';
import type { Message } from '@dbfifo/fifo-core';
import { parseDoorbell } from './doorbell.ts';

function msg(raw: string): Message<unknown> {
  let json: unknown;
  try { json = JSON.parse(raw); } catch { json = undefined; }
  return { raw, json, body: json ?? raw, receivedAt: new Date(), id: 't:1', pipe: '/tmp/p', attempt: 1, merged: 1 };
}

describe('parseDoorbell', () => {
  it('reads what the triggers send, the new state included', () => {
    expect(parseDoorbell(msg('{"table":"blacklist","op":"insert","id":7,"address":"10.0.0.1","active":1,"expires_at":"2026-01-01 00:00:00.000"}')))
      .toEqual({ op: 'insert', id: 7, address: '10.0.0.1', state: { active: true, expiresAt: '2026-01-01 00:00:00.000' } });
    expect(parseDoorbell(msg('{"table":"blacklist","op":"delete","id":"7","address":"10.0.0.1"}')))
      .toEqual({ op: 'delete', id: 7, address: '10.0.0.1', state: undefined });
  });

  it('takes a bare line as an address to sync (the article style)', () => {
    expect(parseDoorbell(msg('203.0.113.5'))).toEqual({ op: 'sync', address: '203.0.113.5' });
  });

  it.each([
    ['{"table":"news","op":"insert","id":1}', /table "news"/],
    ['{"op":"flush","id":1}', /op must be one of/],
    ['{"op":"update"}', /neither an id nor an address/],
    ['{"op":"delete","id":3}', /delete doorbell needs the address/],
    ['', /JSON doorbell or a bare address/],
  ])('refuses %j', (raw, why) => {
    expect(() => parseDoorbell(msg(raw))).toThrow(why);
  });
});
