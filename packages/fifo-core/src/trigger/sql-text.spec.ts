import { describe, expect, it } from 'vitest';
import { displayName, quoteIdent, readSqlString, sameSql, sqlString } from './sql-text.ts';

describe('sql-text', () => {
  it('quotes identifiers by doubling backticks', () => {
    expect(quoteIdent('orders')).toBe('`orders`');
    expect(quoteIdent('we`ird')).toBe('`we``ird`');
    expect(quoteIdent('``')).toBe('``````');
  });

  it.each([
    ['plain'],
    ['{"table":"orders","op":"insert","id":'],
    ['ünïcödé ßtraße'],
    [`it's`],
    ['back\\slash'],
    ['{"table":"a\\"b"}'],
    ['line\nbreak\r\ttab \0 nul'],
    ['emoji 😀'],
    [''],
  ])('reads back its own literal %j', (value) => {
    const lit = sqlString(value);
    expect(readSqlString(`x ${lit} y`, 2)).toEqual({ value, end: 2 + lit.length });
  });

  it('writes text needing no escape in plain quotes, anything else as hex: MariaDB shows both back unchanged', () => {
    expect(sqlString('{"table":"orders"}')).toBe(`'{"table":"orders"}'`);
    expect(sqlString('ünï')).toBe("'ünï'");
    expect(sqlString("it's")).toBe("X'69742773'");
    expect(sqlString('a\\b')).toBe("X'615C62'");
    expect(sqlString('😀')).toBe("X'F09F9880'");
  });

  it("reads doubled quotes (the server's way of showing a quote) and refuses an unterminated literal", () => {
    expect(readSqlString("'a''b'", 0)).toEqual({ value: "a'b", end: 6 });
    expect(readSqlString("'abc", 0)).toBeUndefined();
    expect(readSqlString("X'4", 0)).toBeUndefined();
    expect(readSqlString('abc', 0)).toBeUndefined();
  });

  it('names tables the way people type them', () => {
    expect(displayName('shop', 'orders')).toBe('shop.orders');
    expect(displayName('my db', 'a.b')).toBe('`my db`.`a.b`');
    expect(displayName('123', 'x')).toBe('`123`.x');
  });

  it('compares SQL up to whitespace only', () => {
    expect(sameSql('BEGIN\n  DO 1;\nEND', 'BEGIN DO 1; END')).toBe(true);
    expect(sameSql('DO 1', 'DO 2')).toBe(false);
  });
});
