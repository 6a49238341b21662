// A stalled consumer: the worker is SIGSTOPped while 4 connections insert
// single-row rows as fast as they can, far more doorbells than any pipe holds.
// The database must not wait for it (fifo_write fails fast once the pipe is
// full), and after SIGCONT the worker finds the pipe was full and catches up
// from the rows: every row handled exactly once, with no periodic reconcile.
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipe, insertFlat, removePipe, stackEnv, uniquePipePath, waitFor } from '@dbfifo/test-utils';
import { sizes } from '../src/config.ts';
import { createLedgerDb, type LedgerDb } from '../src/ledger-db.ts';
import { exited, spawnLedger } from '../src/workers.ts';
import { insertTimes, report } from '../src/report.ts';

describe('a consumer stalled by SIGSTOP', () => {
  const stack = stackEnv();
  const pipe = uniquePipePath('rel-stall');
  let db: LedgerDb;

  beforeAll(async () => {
    await createPipe(pipe);
    db = await createLedgerDb(stack, 'stall', pipe);
  });
  afterAll(async () => {
    await db?.drop();
    await removePipe(pipe);
  });

  it('costs the INSERTs no waiting, and every row is handled exactly once soon after SIGCONT', async () => {
    const child = spawnLedger({ pipe, pipeDir: stack.pipeDir, databaseUrl: db.url, redisUrl: stack.redisUrl, reconcileMs: 0 });
    try {
      await waitFor(async () => {
        const [[r]] = (await db.conn.query('SELECT fifo_write(?, ?) AS ok', [pipe, ''])) as unknown as [[{ ok: Buffer | string }]];
        return String(r.ok) === 'true';
      }, { timeoutMs: 60_000, message: 'worker reading its pipe' });
      child.kill('SIGSTOP');
      const load = await insertFlat(() => mysql.createConnection({ uri: db.url }), { connections: 4, seconds: sizes.stallSeconds });
      const [[refusals]] = (await db.conn.query('SELECT COUNT(*) AS n FROM items')) as unknown as [[{ n: number }]];
      const resumedAt = Date.now();
      child.kill('SIGCONT');
      await waitFor(async () => (await db.counts()).missing === 0, { timeoutMs: 60_000, intervalMs: 100, message: 'every row handled after SIGCONT' });
      const caughtUpMs = Date.now() - resumedAt;
      const c = await db.counts();
      report('stalled-consumer', {
        connections: 4,
        seconds: sizes.stallSeconds,
        rows: load.rows,
        ...insertTimes(load.ms),
        caughtUpMs,
        ...c,
        lost: c.missing,
        duplicated: c.handledWithoutItem,
      });
      expect(Number(refusals.n)).toBe(load.rows);
      expect(c.missing).toBe(0);
      expect(c.handled).toBe(c.items);
      expect(c.handledWithoutItem).toBe(0);
      // More doorbells than the pipe holds were rung (the writers were answered 'false'): the rest came from the rows.
      expect(c.viaReconcile, `${load.rows} rows should overflow the pipe; raise RELIABILITY_STALL_SECONDS if the machine is slow`).toBeGreaterThan(0);
      expect(caughtUpMs).toBeLessThan(10_000);
    } finally {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await exited(child);
    }
  });
});
