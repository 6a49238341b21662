import { InvalidMessageError } from '@dbfifo/fifo-core';
import { describe, expect, it } from 'vitest';
import { parseSmsLine } from './line.ts';

const line = (raw: string) => {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = undefined;
  }
  return { raw, json };
};

describe('parseSmsLine', () => {
  it('reads the trigger doorbell', () => {
    expect(parseSmsLine(line('{"table":"sms_outbox","op":"insert","id":42}'))).toEqual({ kind: 'row', id: 42 });
  });

  it("reads the article's bare mobile number (which is also a JSON number)", () => {
    expect(parseSmsLine(line('13113668891'))).toEqual({ kind: 'mobile', mobile: '13113668891' });
    expect(parseSmsLine(line('+86 131-1366-8891'))).toEqual({ kind: 'mobile', mobile: '+86 131-1366-8891' });
  });

  it("ignores the blank line the article's concat(mobile,'\\r\\n') leaves", () => {
    expect(parseSmsLine(line(''))).toEqual({ kind: 'blank' });
  });

  it('refuses other tables, missing ids and prose', () => {
    expect(() => parseSmsLine(line('{"table":"news","id":1}'))).toThrow(/expected "sms_outbox"/);
    expect(() => parseSmsLine(line('{"table":"sms_outbox","id":-3}'))).toThrow(/no valid row id/);
    expect(() => parseSmsLine(line('{"table":"sms_outbox"}'))).toThrow(/no valid row id/);
    expect(() => parseSmsLine(line('send a text to bob'))).toThrow(/neither/);
    expect(() => parseSmsLine(line('1'.repeat(25)))).toThrow(/neither/);
  });

  it('refusals are InvalidMessageError (dead-lettered, never retried)', () => {
    expect(() => parseSmsLine(line('DROP TABLE sms_outbox'))).toThrow(InvalidMessageError);
  });
});
