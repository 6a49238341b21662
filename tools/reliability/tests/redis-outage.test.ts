// Queue mode with Redis stopped while 4 connections insert as fast as they
// can: the relay keeps draining the pipe (the INSERTs never wait for Redis),
// holds the doorbells pending, drops them past DBFIFO_PENDING_MAX with a
// catch-up owed, and hands everything over once Redis is back. Every row
// handled exactly once, with no periodic reconcile.
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipe, freePort, insertFlat, PrivateRedis, removePipe, stackEnv, tempDir, uniquePipePath, waitFor } from '@dbfifo/test-utils';
import { sizes } from '../src/config.ts';
import { createLedgerDb, type LedgerDb } from '../src/ledger-db.ts';
import { insertTimes, report } from '../src/report.ts';
import { startLedger } from '../src/workers.ts';

describe('Redis stopped in queue mode', () => {
  const stack = stackEnv();
  const pipe = uniquePipePath('rel-redis-out');
  let db: LedgerDb;
  let redis: PrivateRedis;

  beforeAll(async () => {
    await createPipe(pipe);
    db = await createLedgerDb(stack, 'redis_out', pipe);
    redis = new PrivateRedis(await freePort(), tempDir('rel-redis-'));
    await redis.start();
  });
  afterAll(async () => {
    await redis?.stop();
    await db?.drop();
    await removePipe(pipe);
  });

  it('the writers never wait, and every row is handled exactly once after Redis is back', async () => {
    const { worker } = startLedger({ pipe, pipeDir: stack.pipeDir, databaseUrl: db.url, redisUrl: redis.url, mode: 'queue', reconcileMs: 0 });
    try {
      await worker.ready;
      await waitFor(async () => (await db.counts()).items === 0, { message: 'an empty ledger' });
      await redis.stop();
      const load = await insertFlat(() => mysql.createConnection({ uri: db.url }), { connections: 4, seconds: sizes.outageSeconds });
      const pendingAtRestart = worker.metrics.pending;
      const droppedAtRestart = worker.metrics.dropped;
      await redis.start();
      const backAt = Date.now();
      await waitFor(async () => (await db.counts()).missing === 0, { timeoutMs: 120_000, intervalMs: 200, message: 'every row handled after Redis came back' });
      const caughtUpMs = Date.now() - backAt;
      const c = await db.counts();
      report('redis-outage', {
        connections: 4,
        redisDownSeconds: sizes.outageSeconds,
        rows: load.rows,
        ...insertTimes(load.ms),
        pendingAtRestart,
        droppedAtRestart,
        caughtUpMs,
        ...c,
        lost: c.missing,
        duplicated: c.handledWithoutItem,
      });
      expect(c.items).toBe(load.rows);
      expect(c.missing).toBe(0);
      expect(c.handled).toBe(c.items);
      expect(c.handledWithoutItem).toBe(0);
      // Nothing was held in the pipe for Redis: the relay took every line off it during the outage.
      expect(worker.metrics.received).toBeGreaterThanOrEqual(load.rows);
      // The outage itself owed the consumers a catch-up: it ran before the backlog of jobs behind it.
      expect(worker.metrics.catchUps).toBeGreaterThanOrEqual(1);
    } finally {
      await worker.stop();
    }
  });
});
