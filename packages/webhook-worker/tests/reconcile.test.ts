// Lost doorbells: changes made while no worker read the pipe (fifo_write
// answered 'false', nothing was queued) are found by reconcile at start, which
// compares the table with the ledger: the updated row is sent as it is, the
// deleted one as a delete, the new one as an insert, and a row that did not
// change is not sent again.
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@dbfifo/test-utils';
import { effects, effectsOf, webhookFixture, type Fixture } from './fixture.ts';

let f: Fixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

describe('webhook-worker reconcile', () => {
  it('delivers what changed while the worker was stopped, and nothing else again', async () => {
    f = await webhookFixture();
    const first = await f.start();
    await f.sql.query("INSERT INTO orders (shop_id, order_no) VALUES (1, 'a'), (1, 'b'), (1, 'c'), (1, 'd')");
    await effects(f.receiver, 4);
    await first.running.stop();

    // No reader: these doorbells are lost.
    await f.sql.query("UPDATE orders SET status = 'paid' WHERE order_no = 'a'");
    await f.sql.query("DELETE FROM orders WHERE order_no = 'b'");
    await f.sql.query("INSERT INTO orders (shop_id, order_no) VALUES (1, 'e')");
    expect(f.receiver.requests).toHaveLength(4);

    // Pages of two rows: the comparison walks the table and the ledger in several steps.
    const second = await f.start({ WEBHOOK_RECONCILE_BATCH: '2' });
    await effects(f.receiver, 7);
    const ops = (no: string) => effectsOf(f!.receiver, { shop_id: 1, order_no: no }).map((e) => [e.op, e.row?.status ?? null]);
    expect(ops('a')).toEqual([['insert', 'new'], ['update', 'paid']]);
    expect(ops('b')).toEqual([['insert', 'new'], ['delete', null]]);
    expect(ops('c')).toEqual([['insert', 'new']]);
    expect(ops('d')).toEqual([['insert', 'new']]);
    expect(ops('e')).toEqual([['insert', 'new']]);
    // The pass that sent them counts them when it returns, which may be just after the receiver has the last one.
    await waitFor(() => second.running.metrics.reconciled >= 3, { message: 'the reconcile pass counted' });
    expect(second.running.metrics.reconciled).toBe(3);
    // A second pass finds the table in line.
    expect(await second.running.reconcileNow()).toBe(0);
    expect(f.receiver.requests).toHaveLength(7);
  });
});
