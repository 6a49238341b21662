import { describe, expect, it } from 'vitest';
import { catalogTrigger } from './catalog-trigger.ts';
import { drift, groupByPipe } from './check.ts';
import { planTriggers } from './generate.ts';
import type { TriggerOptions } from './options.ts';
import type { TableMeta } from './table-meta.ts';
import { orders } from './testing-table.ts';

const opts = (o: Partial<TriggerOptions> = {}): TriggerOptions => ({
  pipe: 'orders', on: ['insert', 'update', 'delete'], columns: ['status'], when: null, fields: [], oldFields: [], ...o,
});

/** What information_schema would show after `add` on `meta`. */
function installed(meta: TableMeta, o = opts()) {
  return planTriggers(meta, o, []).map((p) => catalogTrigger({ schema: p.schema, table: p.table, name: p.name, event: p.event.toUpperCase(), timing: 'AFTER', order: 1, body: p.body }));
}

describe('check: drift', () => {
  it('none right after add', () => {
    const [g] = groupByPipe(installed(orders));
    expect(drift(g!, orders)).toEqual([]);
  });

  it('the primary key changed', () => {
    const [g] = groupByPipe(installed(orders));
    expect(drift(g!, { ...orders, primaryKey: ['order_no', 'shop_id'] })).toEqual([
      'the primary key changed: the doorbell\'s id was (`shop_id`, `order_no`), the table\'s key is now (`order_no`, `shop_id`)',
    ]);
    expect(drift(g!, { ...orders, primaryKey: [] })[0]).toMatch(/no primary key any more/);
  });

  it('a listed column was dropped', () => {
    const [g] = groupByPipe(installed(orders));
    expect(drift(g!, { ...orders, columns: orders.columns.filter((c) => c.name !== 'status') })).toEqual(['column `status` (--columns) no longer exists']);
  });

  it("a column's type changed, or a body was edited by hand", () => {
    const [g] = groupByPipe(installed(orders, opts({ fields: ['total'] })));
    const notNull = { ...orders, columns: orders.columns.map((c) => (c.name === 'total' ? { ...c, nullable: false } : c)) };
    expect(drift(g!, notNull)).toEqual(['`dbfifo_orders_insert` differs from what add generates now (a column\'s type or nullability changed, or it was edited by hand)',
      expect.stringContaining('`dbfifo_orders_update` differs'), expect.stringContaining('`dbfifo_orders_delete` differs')]);
  });

  it('a trigger of the set is missing, or made by another generator version', () => {
    const ts = installed(orders);
    const [g] = groupByPipe(ts.filter((t) => t.event !== 'UPDATE'));
    expect(drift(g!, orders)).toEqual(['the update trigger is missing']);
    const old = ts.map((t) => catalogTrigger({ ...t, body: t.body.replace('{"v":1,', '{"v":0,') }));
    expect(drift(groupByPipe(old)[0]!, orders)).toEqual(['made by trigger generator version 0; this dbfifo generates version 1']);
  });

  it('groups by table and pipe, and ignores triggers without the marker', () => {
    const user = catalogTrigger({ schema: 'shop', table: 'orders', name: 'audit', event: 'INSERT', timing: 'AFTER', order: 1, body: 'INSERT INTO a VALUES (1)' });
    const groups = groupByPipe([user, ...installed(orders), ...installed(orders, opts({ pipe: 'other', on: ['delete'], columns: [] }))]);
    expect(groups.map((g) => [g.pipe, g.triggers.map((t) => t.event)])).toEqual([
      ['orders', ['INSERT', 'UPDATE', 'DELETE']],
      ['other', ['DELETE']],
    ]);
  });
});
