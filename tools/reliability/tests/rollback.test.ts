// 1,000 rolled-back transactions: the trigger rings the pipe before the
// ROLLBACK, the worker hears every line, and nothing is handled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorker } from '@dbfifo/fifo-core';
import { createPipe, removePipe, stackEnv, uniquePipePath, waitFor } from '@dbfifo/test-utils';
import { sizes } from '../src/config.ts';
import { createLedgerDb, type LedgerDb } from '../src/ledger-db.ts';
import { startLedger } from '../src/workers.ts';
import { report } from '../src/report.ts';

describe('rolled-back transactions', () => {
  const stack = stackEnv();
  const pipe = uniquePipePath('rel-rollback');
  let db: LedgerDb;
  let worker: RunningWorker;

  beforeAll(async () => {
    await createPipe(pipe);
    db = await createLedgerDb(stack, 'rollback', pipe);
    // A short row wait: a rolled-back row never appears, each line waits this long once.
    worker = startLedger({ pipe, pipeDir: stack.pipeDir, databaseUrl: db.url, redisUrl: stack.redisUrl, rowWaitMs: 300, concurrency: 64 }).worker;
    await worker.ready;
  });
  afterAll(async () => {
    await worker?.stop();
    await db?.drop();
    await removePipe(pipe);
  });

  it('handles none of them, and still handles a committed row after them', async () => {
    const n = sizes.rollbacks;
    let rung = 0;
    for (let i = 0; i < n; i++) {
      await db.conn.query('START TRANSACTION');
      await db.conn.query('INSERT INTO items (v) VALUES (?)', [i]);
      await db.conn.query('ROLLBACK');
      rung++;
    }
    await db.conn.query('INSERT INTO items (v) VALUES (-1)'); // committed: must be handled
    await waitFor(() => worker.metrics.rolledBack >= n && worker.metrics.handled >= n + 1, {
      timeoutMs: 120_000,
      message: 'every line answered',
    });
    await worker.reconcileNow(); // level-triggered pass: still nothing to do for rolled-back rows
    const c = await db.counts();
    report('rollback', { transactions: n, rung, received: worker.metrics.received, rolledBack: worker.metrics.rolledBack, ...c });
    expect(worker.metrics.received).toBe(n + 1);
    expect(worker.metrics.rolledBack).toBe(n);
    expect(c.items).toBe(1);
    expect(c.handled).toBe(1);
    expect(c.handledWithoutItem).toBe(0);
  });
});
