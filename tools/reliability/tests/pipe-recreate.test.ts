// The pipe is removed and made again while rows keep coming. Writers get
// 'false' at once while it is gone (the server is never held); rows rung
// into the new pipe reach the worker only if it re-opens the path, and the
// periodic reconcile catches whatever the doorbells missed. Nothing is lost.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import type { RunningWorker } from '@dbfifo/fifo-core';
import { createPipe, removePipe, stackEnv, uniquePipePath, waitFor } from '@dbfifo/test-utils';
import { sizes } from '../src/config.ts';
import { createLedgerDb, type LedgerDb } from '../src/ledger-db.ts';
import { startLedger } from '../src/workers.ts';
import { report } from '../src/report.ts';

describe('pipe removed and recreated while running', () => {
  const stack = stackEnv();
  const pipe = uniquePipePath('rel-recreate');
  let db: LedgerDb;
  let worker: RunningWorker;

  beforeAll(async () => {
    await createPipe(pipe);
    db = await createLedgerDb(stack, 'recreate', pipe);
    worker = startLedger({ pipe, pipeDir: stack.pipeDir, databaseUrl: db.url, redisUrl: stack.redisUrl, reconcileMs: 500 }).worker;
    await worker.ready;
  });
  afterAll(async () => {
    await worker?.stop();
    await db?.drop();
    await removePipe(pipe);
  });

  it('loses nothing', async () => {
    const n = sizes.underLoad;
    let removedAfterId = 0;
    let recreatedAfterId = 0;
    let recreatedByWorker = false;
    for (let i = 0; i < n; i += 10) {
      const values = Array.from({ length: 10 }, (_, k) => `(${i + k})`).join(',');
      await db.conn.query(`INSERT INTO items (v) VALUES ${values}`);
      if (i === Math.floor(n / 3 / 10) * 10) {
        await removePipe(pipe);
        removedAfterId = i + 10;
      }
      if (i === Math.floor((2 * n) / 3 / 10) * 10) {
        // The worker may have made it again already (fifo-core re-creates a missing pipe).
        if (fs.existsSync(pipe)) recreatedByWorker = fs.lstatSync(pipe).isFIFO();
        else await createPipe(pipe);
        recreatedAfterId = i + 10;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    // How long until a writer finds a reader on the new pipe again (fifo-core re-checks the path periodically).
    const recreatedAt = Date.now();
    let reattachMs: number | undefined;
    await waitFor(async () => {
      const [[probe]] = await db.conn.query<RowDataPacket[]>('SELECT fifo_write(?, ?) AS r', [pipe, '']);
      if (String(probe!.r) === 'true') reattachMs = Date.now() - recreatedAt;
      return reattachMs !== undefined;
    }, { timeoutMs: 15_000, intervalMs: 50, message: 'a reader on the recreated pipe' }).catch(() => {});
    await waitFor(async () => (await db.counts()).missing === 0, { timeoutMs: 60_000, message: 'every item handled' });
    const c = await db.counts();
    const [[after]] = await db.conn.query<RowDataPacket[]>(
      "SELECT SUM(via = 'line') AS line, SUM(via = 'reconcile') AS reconcile FROM handled WHERE item_id > ?",
      [recreatedAfterId],
    );
    report('pipe-recreate', {
      rows: n, removedAfterRow: removedAfterId, recreatedAfterRow: recreatedAfterId,
      recreatedByWorker,
      readerOnRecreatedPipe: reattachMs !== undefined,
      readerBackAfterLoopMs: reattachMs,
      afterRecreate: { viaLine: Number(after!.line ?? 0), viaReconcile: Number(after!.reconcile ?? 0) },
      ...c,
    });
    expect(c.items).toBe(n);
    expect(c.handled).toBe(n);
    expect(c.missing).toBe(0);
    expect(c.handledWithoutItem).toBe(0);
  });
});
