// The SQL side on its own: what the triggers write into the pipe, and that a
// trigger never fails the write (no reader, or no UDF at all).
import { describe, expect, it } from 'vitest';
import { constants } from 'node:fs';
import { open, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { connect, createPipe, createTestDatabase, removePipe, uniquePipePath, tempDir, type TestDatabase } from '@dbfifo/test-utils';
import { parseNewsLine } from '../src/line.ts';
import { SCHEMA } from './helpers.ts';

const work = tempDir('static-gen-trg-');

async function databaseWith(replace: (sql: string) => string): Promise<{ db: TestDatabase; sql: Connection }> {
  const file = join(work, `schema-${Math.random().toString(36).slice(2)}.sql`);
  await writeFile(file, replace(await readFile(SCHEMA, 'utf8')));
  const db = await createTestDatabase('static_test', [file]);
  return { db, sql: await connect(db.url) };
}

/** Everything currently in the pipe, as lines (the fd is O_RDWR|O_NONBLOCK, so reads never block). */
async function drain(fh: FileHandle): Promise<string[]> {
  const buf = Buffer.alloc(65536);
  let text = '';
  for (;;) {
    try {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      text += buf.subarray(0, bytesRead).toString();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') break;
      throw err;
    }
  }
  return text.split('\n').filter(Boolean);
}

describe('news triggers', () => {
  it('ring the pipe with compact JSON: op, id, version and the slugs a page may leave behind', async () => {
    const pipe = await createPipe(uniquePipePath('static-trg'));
    const { db, sql } = await databaseWith((s) => s.replaceAll(`fifo_write('static',`, `fifo_write('${basename(pipe)}',`));
    const fh = await open(pipe, constants.O_RDWR | constants.O_NONBLOCK);
    try {
      const [r] = await sql.query<ResultSetHeader>(`INSERT INTO news (slug, title, status) VALUES ('a', 'A', 'published')`);
      const id = r.insertId;
      await sql.query(`UPDATE news SET title = 'A2' WHERE id = ?`, [id]);
      await sql.query(`UPDATE news SET slug = 'b' WHERE id = ?`, [id]);
      await sql.query(`DELETE FROM news WHERE id = ?`, [id]);
      await sql.query(`INSERT INTO news (slug, title) VALUES ('quote"and\\\\', 'Q')`);
      const lines = await drain(fh);
      expect(lines.slice(0, 4)).toEqual([
        `{"table":"news","op":"insert","id":${id},"version":1,"slug":"a"}`,
        `{"table":"news","op":"update","id":${id},"version":2,"slug":"a","old":{"slug":"a"}}`,
        `{"table":"news","op":"update","id":${id},"version":3,"slug":"b","old":{"slug":"a"}}`,
        `{"table":"news","op":"delete","id":${id},"version":3,"slug":"b"}`,
      ]);
      // a slug the worker will refuse still makes valid JSON, and reaches the parser as written
      expect(parseNewsLine({ raw: lines[4]!, json: JSON.parse(lines[4]!) })).toMatchObject({ op: 'insert', version: 1 });
      expect(JSON.parse(lines[4]!).slug).toBe('quote"and\\');
      expect(lines.slice(0, 4).map((raw) => parseNewsLine({ raw, json: JSON.parse(raw) }).staleSlugs)).toEqual([[], [], ['a'], ['b']]);
      const [[row]] = await sql.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM news WHERE id = ?`, [id]);
      expect(row!.n).toBe(0);
    } finally {
      await fh.close();
      await sql.end();
      await db.drop();
      await removePipe(pipe);
    }
  });

  it('never fail the write: no reader, or the UDF missing altogether', async () => {
    for (const replace of [
      (s: string) => s.replaceAll(`fifo_write('static',`, `fifo_write('static-nobody-reads-${process.pid}',`),
      (s: string) => s.replaceAll(`fifo_write(`, `no_such_fifo_udf(`),
    ]) {
      const { db, sql } = await databaseWith(replace);
      try {
        const [r] = await sql.query<ResultSetHeader>(`INSERT INTO news (slug, title, status) VALUES ('x', 'X', 'published')`);
        await sql.query(`UPDATE news SET title = 'Y' WHERE id = ?`, [r.insertId]);
        const [[row]] = await sql.query<RowDataPacket[]>(`SELECT title, version, published_at IS NOT NULL AS stamped FROM news WHERE id = ?`, [r.insertId]);
        expect(row).toMatchObject({ title: 'Y', version: 2, stamped: 1 });
        await sql.query(`DELETE FROM news WHERE id = ?`, [r.insertId]);
      } finally {
        await sql.end();
        await db.drop();
      }
    }
  });
});
