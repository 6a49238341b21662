import { describe, expect, it } from 'vitest';
import type { Message } from '@dbfifo/fifo-core';
import { blacklistKey, mergeBlacklistLines, parseBlacklistLine } from './line.ts';

function msg(raw: string): Message<unknown> {
  let json: unknown;
  try { json = JSON.parse(raw); } catch { json = undefined; }
  return { raw, json, body: json ?? raw, receivedAt: new Date(), id: 't:1', pipe: '/tmp/p', attempt: 1, merged: 1 };
}

describe('parseBlacklistLine', () => {
  it('reads what the generated triggers send', () => {
    expect(parseBlacklistLine(msg('{"table":"blacklist","op":"insert","id":7,"address":"10.0.0.1","expires_at":"2026-01-01 00:00:00.000","removed_at":null}')))
      .toEqual({ op: 'insert', ids: [7], addresses: ['10.0.0.1'] });
    expect(parseBlacklistLine(msg('{"table":"blacklist","op":"delete","id":7,"address":"10.0.0.1","expires_at":null,"removed_at":null}')))
      .toEqual({ op: 'delete', ids: [7], addresses: ['10.0.0.1'] });
  });

  it('an UPDATE whose old address differs means the old address lost its ban too', () => {
    const moved = parseBlacklistLine(msg('{"table":"blacklist","op":"update","id":7,"address":"10.0.0.2","expires_at":null,"removed_at":null,"old":{"address":"10.0.0.1"}}'));
    expect(moved).toEqual({ op: 'update', ids: [7], addresses: ['10.0.0.2', '10.0.0.1'] });
    expect(blacklistKey(moved)).toBe('10.0.0.2');
    const same = parseBlacklistLine(msg('{"table":"blacklist","op":"update","id":7,"address":"10.0.0.2","expires_at":null,"removed_at":"2026-01-01 00:00:00.000","old":{"address":"10.0.0.2"}}'));
    expect(same.addresses).toEqual(['10.0.0.2']);
  });

  it('takes a bare line as an address to sync (the article style), and an id alone as a row to read', () => {
    expect(parseBlacklistLine(msg('203.0.113.5'))).toEqual({ op: 'sync', ids: [], addresses: ['203.0.113.5'] });
    const byId = parseBlacklistLine(msg('{"table":"blacklist","op":"insert","id":"9"}'));
    expect(byId).toEqual({ op: 'insert', ids: [9], addresses: [] });
    expect(blacklistKey(byId)).toBe('id:9');
  });

  it.each([
    ['{"table":"news","op":"insert","id":1}', /table "news"/],
    ['{"op":"flush","id":1}', /op must be one of/],
    ['{"op":"update"}', /neither an id nor an address/],
    ['{"op":"delete","id":3}', /delete doorbell needs the address/],
    ['{"op":"update","id":3,"address":"10.0.0.1","old":"10.0.0.2"}', /"old" must be an object/],
    ['{"op":"insert","id":3,"address":12}', /"address" must be a string/],
    ['[1,2]', /JSON doorbell or a bare address/],
    ['', /JSON doorbell or a bare address/],
  ])('refuses %j', (raw, why) => {
    expect(() => parseBlacklistLine(msg(raw))).toThrow(why);
  });
});

describe('mergeBlacklistLines', () => {
  it('keeps the key first, waits for every row and syncs every address either line named', () => {
    const older = { op: 'update' as const, ids: [7], addresses: ['10.0.0.2', '10.0.0.1'] };
    const newer = { op: 'insert' as const, ids: [8], addresses: ['10.0.0.2'] };
    const merged = mergeBlacklistLines(older, newer);
    expect(merged).toEqual({ op: 'insert', ids: [8, 7], addresses: ['10.0.0.2', '10.0.0.1'] });
    expect(blacklistKey(merged)).toBe(blacklistKey(newer));
  });
});
