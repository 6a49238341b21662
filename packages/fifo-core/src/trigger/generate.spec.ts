import { describe, expect, it } from 'vitest';
import { TriggerError } from '../errors.ts';
import { catalogTrigger, type CatalogTrigger } from './catalog-trigger.ts';
import { doorbellExample, doorbellParts, doorbellSql } from './doorbell.ts';
import { dryRunSql, optionProblems, planTriggers, sizeWarnings, triggerBody } from './generate.ts';
import type { TriggerOptions } from './options.ts';
import { col, orders } from './testing-table.ts';

const opts = (o: Partial<TriggerOptions> = {}): TriggerOptions => ({
  pipe: 'orders', on: ['insert', 'update', 'delete'], columns: [], when: null, fields: [], oldFields: [], ...o,
});

const userTrigger = (name: string, event: string, order: number, table = 'orders'): CatalogTrigger =>
  catalogTrigger({ schema: 'shop', table, name, event, timing: 'AFTER', order, body: 'BEGIN INSERT INTO audit VALUES (1); END' });

describe('the doorbell', () => {
  it('is compact JSON: the composite key becomes an object of its columns', () => {
    expect(doorbellExample(orders, opts(), 'insert')).toBe('{"table":"orders","op":"insert","id":{"shop_id":…,"order_no":…}}');
    const single = { ...orders, primaryKey: ['shop_id'] };
    expect(doorbellExample(single, opts(), 'delete')).toBe('{"table":"orders","op":"delete","id":…}');
  });

  it('is one CONCAT: numbers as they are, text through JSON_QUOTE, NEW on insert/update and OLD on delete', () => {
    expect(doorbellSql(doorbellParts(orders, opts(), 'insert'))).toBe(
      `CONCAT('{"table":"orders","op":"insert","id":{"shop_id":', NEW.\`shop_id\`, ',"order_no":', JSON_QUOTE(NEW.\`order_no\`), '}}')`,
    );
    expect(doorbellSql(doorbellParts(orders, opts(), 'delete'))).toContain('OLD.`order_no`');
  });

  it('--fields and --old-fields: NULL-safe values, "old" only on UPDATE', () => {
    const o = opts({ fields: ['total', 'note'], oldFields: ['status'] });
    expect(doorbellExample(orders, o, 'update')).toBe('{"table":"orders","op":"update","id":{"shop_id":…,"order_no":…},"total":…,"note":…,"old":{"status":…}}');
    expect(doorbellExample(orders, o, 'insert')).not.toContain('"old"');
    const sql = doorbellSql(doorbellParts(orders, o, 'update'));
    expect(sql).toContain(`IFNULL(CONCAT('"', NEW.\`total\`, '"'), 'null')`); // DECIMAL as an exact string
    expect(sql).toContain(`IFNULL(JSON_QUOTE(NEW.\`note\`), 'null')`);
    expect(sql).toContain('JSON_QUOTE(OLD.`status`)');
  });

  it.each([
    ['bigint', 'NEW.`c`'],
    ['double', 'NEW.`c`'],
    ['bit', 'CAST(NEW.`c` AS UNSIGNED)'],
    ['datetime', `"id":"', NEW.\`c\`, '"}'`], // only digits, '-', ':', '.', ' ': no escaping needed
    ['varbinary', `"id":"', HEX(NEW.\`c\`), '"}'`],
    ['enum', 'JSON_QUOTE(NEW.`c`)'],
    ['json', 'JSON_QUOTE(CAST(NEW.`c` AS CHAR))'],
  ])('encodes a %s key as %s', (type, expected) => {
    const t = { schema: 's', name: 't', columns: [col('c', type)], primaryKey: ['c'] };
    expect(doorbellSql(doorbellParts(t, opts(), 'insert'))).toContain(expected);
  });

  it('quotes hostile names: JSON keys through JSON, identifiers in backticks, literals escaped', () => {
    const t = { schema: 'my db', name: `we\`ird "ta'ble"`, columns: [col('a`b', 'int'), col(`c'd"e\\`, 'varchar')], primaryKey: ['a`b', `c'd"e\\`] };
    const sql = doorbellSql(doorbellParts(t, opts(), 'insert'));
    expect(sql).toContain('NEW.`a``b`');
    // The JSON fragment holds a quote and backslashes: a hex literal, which the server shows back as sent.
    expect(sql).toContain(`X'${Buffer.from('{"table":"we`ird \\"ta\'ble\\"","op":"insert","id":{"a`b":').toString('hex').toUpperCase()}'`);
    expect(sql).toContain(`JSON_QUOTE(NEW.\`c'd"e\\\`)`);
  });
});

describe('trigger bodies', () => {
  it('never fail the statement, carry the marker, and ignore fifo_write\'s answer', () => {
    const body = triggerBody(orders, opts(), 'insert');
    expect(body.split('\n').slice(0, 3)).toEqual([
      'BEGIN',
      '  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;',
      expect.stringMatching(/^ {2}IF FALSE THEN DO 'dbfifo-trigger \{"v":1,"pipe":"orders",.*\}'; END IF;$/),
    ]);
    expect(body).toContain("  DO fifo_write('orders', CONCAT(");
  });

  it('--columns: an UPDATE rings when a listed column or the key changed, compared NULL-safe and byte-wise', () => {
    const body = triggerBody(orders, opts({ columns: ['status', 'total'] }), 'update');
    expect(body).toContain(
      'IF NOT (CAST(OLD.`status` AS BINARY) <=> CAST(NEW.`status` AS BINARY) AND OLD.`total` <=> NEW.`total` AND OLD.`shop_id` <=> NEW.`shop_id` AND CAST(OLD.`order_no` AS BINARY) <=> CAST(NEW.`order_no` AS BINARY)) THEN',
    );
    expect(triggerBody(orders, opts({ columns: ['status'] }), 'insert')).not.toContain('IF NOT');
  });

  it('--when is wrapped in parentheses after the column test', () => {
    expect(triggerBody(orders, opts({ columns: ['status'], when: "NEW.status = 'paid'" }), 'update')).toMatch(/\) AND \(NEW\.status = 'paid'\) THEN\n/);
  });
});

describe('planTriggers', () => {
  it('names triggers dbfifo_<table>_<op> and creates them AFTER, qualified', () => {
    const plans = planTriggers(orders, opts(), []);
    expect(plans.map((p) => p.name)).toEqual(['dbfifo_orders_insert', 'dbfifo_orders_update', 'dbfifo_orders_delete']);
    expect(plans[0]!.createSql.split('\n')[0]).toBe('CREATE TRIGGER `shop`.`dbfifo_orders_insert` AFTER INSERT ON `shop`.`orders` FOR EACH ROW');
  });

  it("runs after the table's own AFTER triggers of the same event (FOLLOWS the last one)", () => {
    const existing = [userTrigger('audit_1', 'INSERT', 1), userTrigger('audit_2', 'INSERT', 2), userTrigger('other_table', 'INSERT', 1, 'lines')];
    const [insert, update] = planTriggers(orders, opts(), existing);
    expect(insert!.follows).toBe('audit_2');
    expect(insert!.createSql).toContain('FOR EACH ROW FOLLOWS `audit_2`\nBEGIN');
    expect(update!.follows).toBeUndefined();
  });

  it('a second pipe on the same table gets the pipe in its names', () => {
    const first = planTriggers(orders, opts(), []).map((p) => catalogTrigger({ ...p, event: p.event.toUpperCase(), timing: 'AFTER', order: 1 }));
    const second = planTriggers(orders, opts({ pipe: 'audit' }), first);
    expect(second.map((p) => p.name)).toEqual(['dbfifo_orders_insert_audit', 'dbfifo_orders_update_audit', 'dbfifo_orders_delete_audit']);
    expect(second[0]!.follows).toBe('dbfifo_orders_insert');
  });

  it("steps aside from a user's trigger that took the name, and refuses when both names are taken", () => {
    const taken = [userTrigger('dbfifo_orders_insert', 'UPDATE', 1, 'elsewhere')];
    expect(planTriggers(orders, opts({ on: ['insert'] }), taken)[0]!.name).toBe('dbfifo_orders_insert_orders');
    const both = [...taken, userTrigger('DBFIFO_ORDERS_INSERT_ORDERS', 'UPDATE', 2, 'elsewhere')];
    expect(() => planTriggers(orders, opts({ on: ['insert'] }), both)).toThrow(/already exists .* not dbfifo's insert trigger/);
  });

  it('lists every problem at once, before anything is created', () => {
    const noKey = { ...orders, primaryKey: [] };
    const o = opts({ pipe: '../x', on: ['insert'], columns: ['nope'], oldFields: ['status'], fields: ['id'], when: '1; DROP TABLE x' });
    expect(optionProblems(noKey, o)).toEqual([
      expect.stringMatching(/^shop\.orders has no primary key: .*re-reads the row by it/),
      expect.stringMatching(/^--pipe "\.\.\/x" must be a bare name/),
      '--columns: shop.orders has no column `nope`',
      '--fields: shop.orders has no column `id`',
      '--columns only applies to UPDATE, which --on leaves out',
      '--old-fields only applies to UPDATE, which --on leaves out',
      '--fields: column `id` would take the doorbell\'s own "id" key',
      "--when contains ';': it must be one condition, not statements",
    ]);
    expect(() => planTriggers(noKey, o, [])).toThrow(TriggerError);
  });

  it('warns when a doorbell can be longer than fifo_write takes', () => {
    expect(sizeWarnings(orders, opts())).toEqual([]);
    expect(sizeWarnings(orders, opts({ fields: ['note'] }))[0]).toMatch(/insert\/update\/delete doorbell can be up to \d+ bytes.*4095/);
  });

  it('--dry-run SQL loads with the mariadb client (DELIMITER) and its comment stays one line', () => {
    const sql = dryRunSql(planTriggers(orders, opts({ on: ['insert'] }), []), "dbfifo trigger add shop.orders --when 'a\nb'");
    const lines = sql.split('\n');
    expect(lines[0]).toBe("-- dbfifo trigger add shop.orders --when 'a b'");
    expect(lines[2]).toBe('DELIMITER //');
    expect(sql).toMatch(/\nEND\/\/\nDELIMITER ;\n$/);
  });
});
