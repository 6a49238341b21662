// readCommitted against the real MariaDB: an AFTER INSERT/UPDATE trigger rings
// the pipe before COMMIT; the locking read on the doorbell waits for the
// writer's COMMIT (the committed row) or ROLLBACK (no row), bounded by timeoutMs.
import { rm } from 'node:fs/promises';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { createTestDatabase, stackEnv, uniquePipePath, type TestDatabase } from '@dbfifo/test-utils';
import { createPool } from '../src/db.ts';
import { readCommitted, readCommittedOutcome } from '../src/read-committed.ts';
import { openPipe } from '../src/pipe-open.ts';
import { sleep } from './helpers.ts';

interface Item { id: number; v: string }
const SQL = 'SELECT id, v FROM item WHERE id = ?';

let tdb: TestDatabase;
let pool: Pool;
let pipe = '';
let reader: net.Socket;
const bells: { id: number; op: string; at: number }[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase('fifo_core_rc');
  pipe = uniquePipePath('fifo-core-read-committed');
  pool = createPool({ url: tdb.url });
  await pool.query('CREATE TABLE item (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(50) NOT NULL)');
  for (const op of ['insert', 'update']) {
    await pool.query(
      `CREATE TRIGGER item_${op} AFTER ${op.toUpperCase()} ON item FOR EACH ROW SET @fifo = fifo_write(${pool.escape(pipe)}, JSON_OBJECT('op','${op}','id',NEW.id))`,
    );
  }
  reader = (await openPipe(pipe, { mode: 0o620, group: stackEnv().pipeGroup })).socket;
  let buf = '';
  reader.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) bells.push({ ...JSON.parse(buf.slice(0, i)), at: performance.now() });
  });
});

afterAll(async () => {
  reader?.destroy();
  await pool?.end();
  await tdb?.drop();
  await rm(pipe, { force: true });
});

async function doorbell(id: number, op: string) {
  const end = Date.now() + 5000;
  for (;;) {
    const b = bells.find((x) => x.id === id && x.op === op);
    if (b) return b;
    if (Date.now() > end) throw new Error(`no ${op} doorbell for ${id}`);
    await sleep(2);
  }
}

/** An open transaction that has inserted one row (its trigger has rung). */
async function openInsert(v: string): Promise<{ conn: PoolConnection; id: number }> {
  const conn = await pool.getConnection();
  await conn.beginTransaction();
  const [r] = await conn.query<import('mysql2').ResultSetHeader>('INSERT INTO item (v) VALUES (?)', [v]);
  return { conn, id: r.insertId };
}

describe('readCommitted (locking read on the doorbell)', () => {
  it('returns the row as soon as the writer commits, 200 ms after the doorbell', async () => {
    for (const holdMs of [200, 450]) {
      const { conn, id } = await openInsert(`held ${holdMs}`);
      const bell = await doorbell(id, 'insert');
      // Not visible to a plain read yet: the doorbell came before COMMIT.
      expect((await pool.query<RowDataPacket[]>(SQL, [id]))[0]).toHaveLength(0);
      const read = readCommitted<Item>(pool, SQL, [id], { timeoutMs: 5000 }).then((row) => ({ row, at: performance.now() }));
      await sleep(holdMs);
      const commitSent = performance.now();
      await conn.commit();
      const commitDone = performance.now();
      conn.release();
      const { row, at } = await read;
      expect(row).toEqual({ id, v: `held ${holdMs}` });
      // It waited for the commit (not a fixed delay): it returns after COMMIT was
      // sent, and shortly after the acknowledgement, whatever the hold time.
      expect(at).toBeGreaterThanOrEqual(commitSent);
      expect(at - commitDone).toBeLessThan(100);
      expect(at - bell.at).toBeGreaterThanOrEqual(holdMs);
    }
  });

  it('returns undefined right after a rollback (reported as absent, not a timeout)', async () => {
    const { conn, id } = await openInsert('rolled back');
    await doorbell(id, 'insert');
    const t0 = performance.now();
    const read = readCommittedOutcome<Item>(pool, SQL, [id], { timeoutMs: 5000 });
    await sleep(150);
    await conn.rollback();
    conn.release();
    expect(await read).toEqual({ state: 'absent' });
    expect(performance.now() - t0).toBeLessThan(2000); // the rollback, not the 5 s bound
    expect(await readCommitted(pool, SQL, [id], { timeoutMs: 500 })).toBeUndefined();
  });

  it('reports a transaction longer than timeoutMs as a timeout, within the bound', async () => {
    const { conn, id } = await openInsert('slow');
    try {
      const t0 = performance.now();
      expect(await readCommittedOutcome<Item>(pool, SQL, [id], { timeoutMs: 400 })).toEqual({ state: 'timeout' });
      const took = performance.now() - t0;
      expect(took).toBeGreaterThanOrEqual(390);
      expect(took).toBeLessThan(1000); // sub-second bound (max_statement_time), not innodb's 1 s minimum
      expect(await readCommitted(pool, SQL, [id], { timeoutMs: 300 })).toBeUndefined();
      await conn.commit();
    } finally {
      conn.release();
    }
    expect(await readCommitted<Item>(pool, SQL, [id], { timeoutMs: 300 })).toEqual({ id, v: 'slow' });
  });

  it('returns the new committed version of an UPDATE', async () => {
    const [ins] = await pool.query<import('mysql2').ResultSetHeader>("INSERT INTO item (v) VALUES ('v1')");
    const conn = await pool.getConnection();
    await conn.beginTransaction();
    await conn.query("UPDATE item SET v = 'v2' WHERE id = ?", [ins.insertId]);
    await doorbell(ins.insertId, 'update');
    const read = readCommitted<Item>(pool, SQL, [ins.insertId], { timeoutMs: 5000 });
    await sleep(100);
    await conn.commit();
    conn.release();
    expect(await read).toEqual({ id: ins.insertId, v: 'v2' });
  });

  it('does not hold the writer back: it continues on its row and on the gap while readers wait', async () => {
    const { conn, id } = await openInsert('busy');
    const readers = Array.from({ length: 4 }, () => readCommitted<Item>(pool, SQL, [id], { timeoutMs: 5000 }));
    await sleep(50);
    // The writer updates its own row and inserts next to it while four readers wait on it.
    const t0 = performance.now();
    await conn.query("UPDATE item SET v = 'busy 2' WHERE id = ?", [id]);
    const [next] = await conn.query<import('mysql2').ResultSetHeader>("INSERT INTO item (v) VALUES ('next')");
    const writerMs = performance.now() - t0;
    // Other writers on other rows are not blocked either.
    await Promise.all(Array.from({ length: 5 }, (_, i) => pool.query('INSERT INTO item (v) VALUES (?)', [`other ${i}`])));
    await conn.commit();
    conn.release();
    expect(writerMs).toBeLessThan(500); // no lock wait (innodb would hold it for seconds)
    for (const r of await Promise.all(readers)) expect(r).toEqual({ id, v: 'busy 2' });
    expect(await readCommitted<Item>(pool, SQL, [next.insertId])).toEqual({ id: next.insertId, v: 'next' });
  });

  it('stops at once when the signal aborts', async () => {
    const { conn, id } = await openInsert('aborted');
    try {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      const t0 = performance.now();
      expect(await readCommittedOutcome(pool, SQL, [id], { timeoutMs: 3000, signal: ac.signal })).toEqual({ state: 'aborted' });
      expect(performance.now() - t0).toBeLessThan(1000);
    } finally {
      await conn.rollback();
      conn.release();
    }
  });
});
