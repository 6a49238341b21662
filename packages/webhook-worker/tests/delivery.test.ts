// Deliveries as a receiver sees them, with the worker in direct mode on the
// demo's orders table (composite primary key): each committed change once,
// in order, as the committed row; nothing for a rolled-back one; a retry
// under the same Idempotency-Key when an answer was lost; per endpoint at
// most WEBHOOK_CONCURRENCY requests at once and WEBHOOK_RATE_PER_SEC started.
import type { ResultSetHeader } from 'mysql2/promise';
import { waitFor } from '@dbfifo/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { effects, effectsOf, webhookFixture, type Fixture } from './fixture.ts';

let f: Fixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const insert = (fx: Fixture, shop: number, no: string, status = 'new') =>
  fx.sql.query<ResultSetHeader>('INSERT INTO orders (shop_id, order_no, status) VALUES (?, ?, ?)', [shop, no, status]);

describe('webhook-worker delivers committed changes', () => {
  it('POSTs each committed insert, update and delete once, in order, as the committed row with its key', async () => {
    f = await webhookFixture();
    const { running } = await f.start();
    await insert(f, 1, 'A-1');
    await effects(f.receiver, 1);
    await f.sql.query("UPDATE orders SET status = 'paid', total = 12.5 WHERE shop_id = 1 AND order_no = 'A-1'");
    await effects(f.receiver, 2);
    await f.sql.query("DELETE FROM orders WHERE shop_id = 1 AND order_no = 'A-1'");
    await effects(f.receiver, 3);

    const got = effectsOf(f.receiver, { shop_id: 1, order_no: 'A-1' });
    expect(got.map((e) => e.op)).toEqual(['insert', 'update', 'delete']);
    expect(got[0]!.row).toMatchObject({ shop_id: 1, order_no: 'A-1', status: 'new', total: '0.00' });
    expect(got[1]!.row).toMatchObject({ status: 'paid', total: '12.50' });
    expect(got[2]!.row).toBeNull();
    expect(got[2]!.version).toBe('deleted');
    expect(got.map((e) => e.headers['x-dbfifo-table'])).toEqual(['orders', 'orders', 'orders']);
    expect(new Set(got.map((e) => e.idempotencyKey)).size).toBe(3);
    // Exactly once: no request beyond the three effects.
    expect(f.receiver.requests).toHaveLength(3);
    expect(running.metrics.handled).toBe(3);
  });

  it('never delivers a change that was rolled back', async () => {
    f = await webhookFixture();
    const { running, worker } = await f.start();
    await insert(f, 2, 'kept');
    await effects(f.receiver, 1);
    await f.sql.beginTransaction();
    await insert(f, 2, 'rolled-back');
    await f.sql.query("UPDATE orders SET status = 'cancelled' WHERE shop_id = 2 AND order_no = 'kept'");
    await f.sql.rollback();
    await waitFor(() => running.metrics.rolledBack >= 1 && running.metrics.inFlight === 0, { message: 'the rolled-back doorbells handled' });
    await insert(f, 2, 'after');
    await effects(f.receiver, 2);
    expect(f.receiver.requests.map((r) => [r.key.order_no, r.op])).toEqual([['kept', 'insert'], ['after', 'insert']]);
    expect(worker.stats.rolledBack).toBe(1);
  });

  it('retries under the same Idempotency-Key when an answer is lost, so the receiver takes one effect', async () => {
    f = await webhookFixture();
    let first = true;
    // The receiver commits the first request, then its answer comes too late (timeout) or as a 500.
    f.receiver.answer = () => {
      if (!first) return { status: 200 };
      first = false;
      return { status: 200, delayMs: 2500, processed: true };
    };
    await f.start();
    await insert(f, 3, 'slow');
    await waitFor(() => f!.receiver.requests.length >= 2, { message: 'the retry' });
    f.receiver.answer = () => ({ status: 500, processed: true });
    await insert(f, 3, 'crashes');
    await waitFor(() => f!.receiver.requests.filter((r) => r.key.order_no === 'crashes').length >= 2, { message: 'the retry after a 500' });

    for (const no of ['slow', 'crashes']) {
      const seen = f.receiver.requests.filter((r) => r.key.order_no === no);
      expect(new Set(seen.map((r) => r.idempotencyKey)).size).toBe(1);
      expect(seen.at(-1)!.duplicate).toBe(true);
      expect(effectsOf(f.receiver, { shop_id: 3, order_no: no })).toHaveLength(1);
    }
  });

  it('signs each request: the receiver verifies X-Dbfifo-Signature with the shared secret', async () => {
    f = await webhookFixture({ secret: 'shared-secret' });
    await f.start();
    await insert(f, 4, 'signed');
    await effects(f.receiver, 1);
    expect(f.receiver.requests.map((r) => r.signature)).toEqual(['valid']);
    expect(f.receiver.requests[0]!.headers['x-dbfifo-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('keeps at most WEBHOOK_CONCURRENCY requests in flight to a slow endpoint', async () => {
    f = await webhookFixture({ env: { WEBHOOK_CONCURRENCY: '2' } });
    f.receiver.answer = () => ({ status: 200, delayMs: 150 });
    await f.start();
    await f.sql.query(`INSERT INTO orders (shop_id, order_no) VALUES ${Array.from({ length: 8 }, (_, i) => `(5, 'c-${i}')`).join(', ')}`);
    await effects(f.receiver, 8);
    expect(f.receiver.maxInFlight).toBe(2);
  });

  it('starts at most WEBHOOK_RATE_PER_SEC requests per second per endpoint', async () => {
    f = await webhookFixture({ env: { WEBHOOK_RATE_PER_SEC: '20', WEBHOOK_RATE_BURST: '1' } });
    await f.start();
    await f.sql.query(`INSERT INTO orders (shop_id, order_no) VALUES ${Array.from({ length: 6 }, (_, i) => `(6, 'r-${i}')`).join(', ')}`);
    await effects(f.receiver, 6);
    const at = f.receiver.requests.map((r) => r.at);
    // Six starts at 20/s span at least five intervals of 50 ms (a lower bound: a slow machine only widens it).
    expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual(5 * 50 - 10);
  });

  it('delivers bursts to many tables at once, the deliveries never waiting on each other for connections', async () => {
    const tables = ['t1', 't2', 't3', 't4', 't5'];
    f = await webhookFixture({ schema: false, env: { WEBHOOK_TABLES: tables.join(','), DBFIFO_CONCURRENCY: '2' } });
    for (const t of tables) await f.sql.query(`CREATE TABLE ${t} (id INT NOT NULL PRIMARY KEY, v INT NOT NULL DEFAULT 0)`);
    await Promise.all(tables.map((t) => f!.addTriggers(t)));
    // A slow receiver: each batch holds its tables' deliveries open while they POST.
    f.receiver.answer = () => ({ status: 200, delayMs: 50 });
    await f.start();
    for (let id = 0; id < 20; id++) for (const t of tables) await f.sql.query(`INSERT INTO ${t} (id) VALUES (?)`, [id]);
    await effects(f.receiver, 100, 30_000);
    expect(new Set(f.receiver.effects.map((e) => `${e.table}:${JSON.stringify(e.key)}`)).size).toBe(100);
  });
});
