// The whole path for real: a MariaDB trigger calls fifo_write (fifo.so), the
// worker reads the line, waits for the row to become visible (the trigger fires
// before COMMIT) and handles it; a rolled-back row is counted and not handled.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { createTestDatabase, stackEnv, uniquePipePath, type TestDatabase } from '@dbfifo/test-utils';
import { RolledBackError } from '../src/errors.ts';
import { createPool, waitForRow } from '../src/db.ts';
import { loadRuntimeConfig } from '../src/config.ts';
import { requireJsonObject } from '../src/message.ts';
import { startWorker, type RunningWorker } from '../src/worker.ts';
import { memoryLogger, sleep } from './helpers.ts';

let tdb: TestDatabase;
let pool: Pool;
let worker: RunningWorker;
let pipePath = '';
const handled: { id: number; v: string }[] = [];

beforeAll(async () => {
  const stack = stackEnv();
  tdb = await createTestDatabase('fifo_core');
  const pipe = uniquePipePath('fifo-core-trigger');
  pipePath = pipe;
  pool = createPool({ url: tdb.url });
  await pool.query('CREATE TABLE item (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(50) NOT NULL)');
  await pool.query(
    `CREATE TRIGGER item_ai AFTER INSERT ON item FOR EACH ROW SET @fifo = fifo_write(${pool.escape(pipe)}, JSON_OBJECT('table','item','op','insert','id',NEW.id))`,
  );
  const runtime = loadRuntimeConfig('trigger', {
    DBFIFO_PIPE: pipe,
    DBFIFO_PIPE_GROUP: stack.pipeGroup,
    DBFIFO_PIPE_MODE: '0620',
    DBFIFO_RECONCILE_INTERVAL_MS: '0',
  });
  worker = startWorker(
    {
      name: 'trigger',
      parse: (m) => requireJsonObject(m) as { id: number },
      key: (m) => String(m.body.id),
      handle: async (m, h) => {
        const row = await waitForRow(async () => {
          const [rows] = await pool.query<RowDataPacket[]>('SELECT id, v FROM item WHERE id = ?', [m.body.id]);
          return rows[0] as { id: number; v: string } | undefined;
        }, { timeoutMs: 800, signal: h.signal });
        if (!row) throw new RolledBackError();
        handled.push(row);
      },
    },
    { runtime, db: { url: tdb.url } },
    { logger: memoryLogger().logger },
  );
  await worker.ready;
});

afterAll(async () => {
  await worker?.stop();
  await pool?.end();
  await tdb?.drop();
  await rm(pipePath, { force: true });
  await rm(`${pipePath}.dead`, { force: true });
});

async function until(cond: () => boolean, what: string, ms = 10_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('trigger → fifo_write → handler', () => {
  it('handles a committed row even when the line arrives before COMMIT', async () => {
    const conn = await pool.getConnection();
    try {
      await conn.beginTransaction();
      await conn.query("INSERT INTO item (v) VALUES ('late commit')");
      await until(() => worker.metrics.received === 1, 'the line (sent before commit)');
      await sleep(150); // the handler is polling for a row it cannot see yet
      expect(handled).toHaveLength(0);
      await conn.commit();
    } finally {
      conn.release();
    }
    await until(() => handled.length === 1, 'the committed row');
    expect(handled[0]!.v).toBe('late commit');
  });

  it('counts a rolled-back row and handles nothing', async () => {
    const conn = await pool.getConnection();
    try {
      await conn.beginTransaction();
      await conn.query("INSERT INTO item (v) VALUES ('never')");
      await conn.rollback();
    } finally {
      conn.release();
    }
    await until(() => worker.metrics.rolledBack === 1, 'the rollback to be counted');
    expect(handled.map((r) => r.v)).toEqual(['late commit']);
  });

  it('autocommit inserts from several connections all arrive', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => pool.query('INSERT INTO item (v) VALUES (?)', [`row-${i}`])));
    await until(() => handled.length === 21, '20 more rows');
  });
});
