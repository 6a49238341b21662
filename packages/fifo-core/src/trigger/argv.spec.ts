import { describe, expect, it } from 'vitest';
import { parseTriggerArgs, splitNames, UsageError } from './argv.ts';

describe('parseTriggerArgs', () => {
  it('add: all three events by default, options in any order, --flag=value too', () => {
    expect(parseTriggerArgs(['add', 'shop.orders', '--pipe', 'orders'])).toEqual({
      cmd: 'add',
      schema: 'shop',
      table: 'orders',
      dryRun: false,
      options: { pipe: 'orders', on: ['insert', 'update', 'delete'], columns: [], when: null, fields: [], oldFields: [] },
    });
    const c = parseTriggerArgs(['add', '--dry-run', '--on=DELETE,update', 'shop.orders', '--pipe=o', '--columns', 'a, b,a', '--when', 'NEW.a > 1', '--fields', 'x', '--old-fields', 'y']);
    expect(c).toMatchObject({ dryRun: true, options: { pipe: 'o', on: ['update', 'delete'], columns: ['a', 'b'], when: 'NEW.a > 1', fields: ['x'], oldFields: ['y'] } });
  });

  it('names with dots, backticks and spaces go in backticks, in lists too', () => {
    expect(parseTriggerArgs(['add', '`my.db`.`we``ird ta.ble`', '--pipe', 'p', '--columns', '`a,b`,`c``d`, plain'])).toMatchObject({
      schema: 'my.db',
      table: 'we`ird ta.ble',
      options: { columns: ['a,b', 'c`d', 'plain'] },
    });
    expect(splitNames('ünï.cöde', '.', 'x')).toEqual(['ünï', 'cöde']);
  });

  it('list and check take an optional <db>[.<table>]; remove an optional --pipe', () => {
    expect(parseTriggerArgs(['list'])).toEqual({ cmd: 'list' });
    expect(parseTriggerArgs(['check', 'shop'])).toEqual({ cmd: 'check', schema: 'shop', table: undefined });
    expect(parseTriggerArgs(['remove', 'shop.orders', '--pipe', 'p'])).toEqual({ cmd: 'remove', schema: 'shop', table: 'orders', pipe: 'p', dryRun: false });
  });

  it.each([
    [['add', 'orders', '--pipe', 'p'], /<db>\.<table>/],
    [['add', 'shop.orders'], /--pipe/],
    [['add', 'shop.orders', '--pipe'], /needs a value/],
    [['add', 'shop.orders', '--pipe', 'a', '--pipe', 'b'], /twice/],
    [['add', 'shop.orders', '--pipe', 'a', '--on', 'truncate'], /unknown event "truncate"/],
    [['add', 'shop.orders', '--pipe', 'a', '--colums', 'x'], /unknown option --colums/],
    [['add', 'a.b.c', '--pipe', 'a'], /more than <db>\.<table>/],
    [['add', '`a.b', '--pipe', 'a'], /unbalanced backtick/],
    [['add', 'a.b', '--pipe', 'a', '--columns', 'x,,y'], /empty name/],
    [['remove', 'shop.orders', '--columns', 'x'], /unknown option/],
    [['list', 'a', 'b'], /at most one/],
    [['frobnicate'], /unknown trigger command/],
  ])('refuses %j', (argv, why) => {
    expect(() => parseTriggerArgs(argv)).toThrow(UsageError);
    expect(() => parseTriggerArgs(argv)).toThrow(why);
  });
});
