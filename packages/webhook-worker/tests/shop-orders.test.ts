// Issue 12's "done when", end to end: a shop.orders table with a composite
// primary key gets its triggers from `npx dbfifo trigger add <db>.orders
// --pipe <pipe>`, and webhook-worker delivers each committed change exactly
// once to a local receiver; rolled-back rows get nothing; a receiver that is
// down (a few seconds here, WEBHOOK_OUTAGE_MS for the full-size run) gets
// everything afterwards, in per-row order. No reconcile interval: whatever
// catches up does so without one.
import { benchInt, waitFor } from '@dbfifo/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effects, receiverState, webhookFixture, type Fixture, type Running } from './fixture.ts';

// How long the receiver stays down (the full-size run: WEBHOOK_OUTAGE_MS=30000).
const OUTAGE_MS = benchInt('WEBHOOK_OUTAGE_MS', 3000);

let f: Fixture;
let w: Running;

beforeAll(async () => {
  f = await webhookFixture({ schema: false, env: { WEBHOOK_TABLES: 'orders' } });
  await f.sql.query(`CREATE TABLE orders (
    shop_id INT NOT NULL, order_no VARCHAR(20) NOT NULL, status VARCHAR(20) NOT NULL DEFAULT 'new', v INT NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, order_no))`);
  expect(await f.addTriggers('orders')).toMatch(/dbfifo_orders_insert/);
  w = await f.start();
});

afterAll(() => f?.close());

describe('shop.orders (composite key) with `dbfifo trigger add` and webhook-worker', () => {
  it('delivers each committed change exactly once, and nothing for rolled-back rows', async () => {
    await f.sql.query("INSERT INTO orders (shop_id, order_no) VALUES (1, 'A-7'), (1, 'A-8'), (2, 'A-7')");
    await effects(f.receiver, 3);
    await f.sql.query("UPDATE orders SET status = 'paid', v = v + 1 WHERE shop_id = 1 AND order_no = 'A-7'");
    await effects(f.receiver, 4);
    await f.sql.query("DELETE FROM orders WHERE shop_id = 2 AND order_no = 'A-7'");
    await effects(f.receiver, 5);
    await f.sql.beginTransaction();
    await f.sql.query("INSERT INTO orders (shop_id, order_no) VALUES (9, 'never')");
    await f.sql.query("UPDATE orders SET status = 'void', v = v + 1 WHERE shop_id = 1 AND order_no = 'A-8'");
    await f.sql.rollback();
    await waitFor(() => w.running.metrics.rolledBack >= 1, { message: 'the rolled-back insert' });
    await f.sql.query("INSERT INTO orders (shop_id, order_no) VALUES (3, 'last')");
    await effects(f.receiver, 6);

    const opsByRow = new Map<string, string[]>();
    for (const e of f.receiver.effects) opsByRow.set(JSON.stringify(e.key), [...(opsByRow.get(JSON.stringify(e.key)) ?? []), e.op]);
    expect(Object.fromEntries(opsByRow)).toEqual({
      '{"shop_id":1,"order_no":"A-7"}': ['insert', 'update'],
      '{"shop_id":1,"order_no":"A-8"}': ['insert'],
      '{"shop_id":2,"order_no":"A-7"}': ['insert', 'delete'],
      '{"shop_id":3,"order_no":"last"}': ['insert'],
    });
    expect(f.receiver.requests.length).toBe(f.receiver.effects.length);
  });

  it(`a receiver that is down for ${OUTAGE_MS / 1000} s gets every change afterwards, in order per row`, async () => {
    const startEffects = f.receiver.effects.length;
    await f.receiver.down();
    const until = Date.now() + OUTAGE_MS;
    let round = 0;
    // Writers go on while it is down: new rows, updates of one hot row and of the others, deletes.
    while (Date.now() < until) {
      round++;
      await f.sql.query('INSERT INTO orders (shop_id, order_no) VALUES (?, ?)', [10, `out-${round}`]);
      await f.sql.query("UPDATE orders SET v = v + 1 WHERE shop_id = 1 AND order_no = 'A-7'");
      if (round % 3 === 0) await f.sql.query('UPDATE orders SET v = v + 1, status = ? WHERE shop_id = 10 AND order_no = ?', ['changed', `out-${round - 1}`]);
      if (round % 5 === 0) await f.sql.query('DELETE FROM orders WHERE shop_id = 10 AND order_no = ?', [`out-${round - 2}`]);
      if (round === 2) await f.sql.query("DELETE FROM orders WHERE shop_id = 1 AND order_no = 'A-8'");
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(f.receiver.effects.length).toBe(startEffects);
    expect(w.worker.stats.failed).toBeGreaterThan(0);
    await f.receiver.up();

    const [table] = await f.sql.query('SELECT * FROM orders');
    const want = new Map((table as Record<string, unknown>[]).map((r) => [JSON.stringify({ shop_id: r.shop_id, order_no: r.order_no }), r]));
    await waitFor(() => {
      const state = receiverState(f.receiver);
      for (const [k, row] of want) if (JSON.stringify(state.get(k)) !== JSON.stringify(row)) return false;
      for (const [k, row] of state) if (row !== null && !want.has(k)) return false;
      return true;
    }, { timeoutMs: 30_000, message: 'the receiver in line with the table' });
    // Exactly once per Idempotency-Key, none dead-lettered, and the hot row's versions only went forward (receiverState checks).
    const keys = f.receiver.effects.map((e) => e.idempotencyKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(w.worker.stats.deadLettered).toBe(0);
    expect(receiverState(f.receiver).get('{"shop_id":1,"order_no":"A-7"}')).toMatchObject({ v: round + 1 });
    expect(receiverState(f.receiver).get('{"shop_id":1,"order_no":"A-8"}')).toBeNull();
  });
});
