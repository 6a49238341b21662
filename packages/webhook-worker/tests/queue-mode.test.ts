// Queue mode (DBFIFO_MODE=queue: the reader relays doorbells through BullMQ
// on the shared Redis, consumers deliver): the same guarantees as direct mode.
// A burst of updates to a few rows, a receiver that answers late or with a
// 503 now and then, then goes down for a while: each row ends as the table
// has it, its states arrive in order, and no Idempotency-Key takes two effects.
import { Queue } from 'bullmq';
import { basename } from 'node:path';
import { waitFor } from '@dbfifo/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiverState, webhookFixture, type Fixture, type Running } from './fixture.ts';

let f: Fixture;
let w: Running;

beforeAll(async () => {
  f = await webhookFixture({ schema: false, env: { DBFIFO_MODE: 'queue', DBFIFO_QUEUE_BACKOFF_MS: '50', WEBHOOK_TABLES: 'items' } });
  await f.sql.query('CREATE TABLE items (id INT NOT NULL PRIMARY KEY, v INT NOT NULL DEFAULT 0)');
  await f.addTriggers('items');
  w = await f.start();
});

afterAll(async () => {
  await f?.close();
  const queue = new Queue(basename(f.pipe), { connection: { url: f.env.REDIS_URL }, prefix: 'dbfifo' });
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
});

async function inLine(): Promise<void> {
  const [rows] = await f.sql.query('SELECT id, v FROM items');
  const want = new Map((rows as { id: number; v: number }[]).map((r) => [JSON.stringify({ id: r.id }), JSON.stringify(r)]));
  await waitFor(() => {
    const state = receiverState(f.receiver); // throws if a row's states arrived out of order
    return [...want].every(([k, row]) => JSON.stringify(state.get(k)) === row);
  }, { timeoutMs: 30_000, message: 'the receiver in line with the table' });
}

describe('webhook-worker in queue mode', () => {
  it('delivers a burst of updates in order per row through an unsteady receiver, each effect once', async () => {
    let n = 0;
    f.receiver.answer = () => (++n % 7 === 0 ? { status: 503 } : { status: 200, delayMs: n % 3 === 0 ? 20 : 0 });
    await f.sql.query(`INSERT INTO items (id) VALUES ${Array.from({ length: 10 }, (_, i) => `(${i})`).join(', ')}`);
    for (let round = 0; round < 8; round++) {
      for (let id = 0; id < 10; id++) await f.sql.query('UPDATE items SET v = v + 1 WHERE id = ?', [id]);
    }
    await inLine();
    const keys = f.receiver.effects.map((e) => e.idempotencyKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(w.running.metrics.relayed).toBeGreaterThan(0);
  });

  it('a receiver that is down gets every change afterwards, in order per row', async () => {
    f.receiver.answer = () => ({ status: 200 });
    await f.receiver.down();
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      await f.sql.query('UPDATE items SET v = v + 1 WHERE id = ?', [Math.floor(Math.random() * 10)]);
      await new Promise((r) => setTimeout(r, 50));
    }
    await f.sql.query('INSERT INTO items (id, v) VALUES (100, 0)');
    await f.receiver.up();
    await inLine();
    expect(w.worker.stats.deadLettered).toBe(0);
  });
});
