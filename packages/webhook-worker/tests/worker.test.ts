// webhook-worker against the local stack: a private database loaded with
// sql/webhook/schema.sql, its triggers ringing a private pipe, and the worker
// reading that pipe in direct mode, as `npm start` serves it.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, readDeadLetters, startWorker, type RunningWorker } from '@dbfifo/fifo-core';
import { connect, createTestDatabase, removePipe, stackEnv, tempDir, uniquePipePath, waitFor, writeLines, type TestDatabase } from '@dbfifo/test-utils';
import type { Connection, ResultSetHeader } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookChange } from '../src/changes/on-change.ts';
import { loadWebhookConfig, PIPE } from '../src/config.ts';
import { TABLE } from '../src/rows.ts';
import { createWebhookWorker, type WebhookWorker } from '../src/worker.ts';

const SCHEMA = fileURLToPath(new URL('../../../sql/webhook/schema.sql', import.meta.url));

let db: TestDatabase;
let sql: Connection;
let pipe: string;
let worker: WebhookWorker;
let running: RunningWorker;
const changes: WebhookChange[] = [];

beforeAll(async () => {
  const stack = stackEnv();
  pipe = uniquePipePath('webhook-test');
  // The schema as it is, its triggers ringing this test's pipe instead of the shared one.
  const text = (await readFile(SCHEMA, 'utf8')).replaceAll(`fifo_write('${PIPE}',`, `fifo_write('${basename(pipe)}',`);
  if (!text.includes(basename(pipe))) throw new Error(`${SCHEMA} has no trigger calling fifo_write('${PIPE}', …): run npm run sql:triggers`);
  const copy = join(tempDir('webhook-test-'), 'schema.sql');
  await writeFile(copy, text);
  db = await createTestDatabase('orders_test', [copy]);
  sql = await connect(db.url);
  const config = loadWebhookConfig({
    DATABASE_URL: db.url,
    DBFIFO_PIPE_DIR: stack.pipeDir,
    DBFIFO_PIPE: pipe,
    DBFIFO_PIPE_MODE: '0666',
    DBFIFO_RECONCILE_INTERVAL_MS: '0',
    DBFIFO_SHUTDOWN_TIMEOUT_MS: '3000',
  });
  worker = createWebhookWorker({ onChange: async (change) => void changes.push(change) });
  running = startWorker(worker, config, { logger: createLogger('webhook-worker', 'silent') });
  await running.ready;
});

afterAll(async () => {
  await running?.stop();
  await sql?.end();
  await db?.drop();
  if (pipe) {
    await removePipe(pipe);
    await rm(`${pipe}.dead`, { force: true });
  }
});

const seen = (n: number) => waitFor(() => changes.length >= n, { message: `${n} change(s)` });

describe('webhook-worker', () => {
  it('hands each committed insert, update and delete to onChange once, in order, with the committed row', async () => {
    const start = changes.length;
    const [ins] = await sql.query<ResultSetHeader>(`INSERT INTO \`${TABLE}\` (name) VALUES ('first')`);
    const id = ins.insertId;
    await seen(start + 1);
    await sql.query(`UPDATE \`${TABLE}\` SET name = 'second' WHERE id = ?`, [id]);
    await seen(start + 2);
    await sql.query(`DELETE FROM \`${TABLE}\` WHERE id = ?`, [id]);
    await seen(start + 3);
    const mine = changes.slice(start);
    expect(mine.map((c) => [c.op, c.id, c.row?.name])).toEqual([
      ['insert', id, 'first'],
      ['update', id, 'second'],
      ['delete', id, undefined],
    ]);
  });

  it('never hands on a change that was rolled back', async () => {
    const before = running.metrics.rolledBack;
    await sql.beginTransaction();
    const [lost] = await sql.query<ResultSetHeader>(`INSERT INTO \`${TABLE}\` (name) VALUES ('rolled back')`);
    await sql.rollback();
    await waitFor(() => running.metrics.rolledBack > before, { message: 'the rolled-back doorbell' });
    const [kept] = await sql.query<ResultSetHeader>(`INSERT INTO \`${TABLE}\` (name) VALUES ('kept')`);
    await waitFor(() => changes.some((c) => c.id === kept.insertId), { message: 'the committed row' });
    expect(changes.filter((c) => c.id === lost.insertId)).toEqual([]);
    expect(worker.stats.rolledBack).toBeGreaterThan(0);
  });

  it('refuses a line that is not a doorbell, with its code, into the dead-letter file', async () => {
    writeLines(pipe, ['13113668891']);
    const refused = await waitFor(async () => (await readDeadLetters(`${pipe}.dead`)).find((e) => e.raw === '13113668891'), { message: 'the dead letter' });
    expect(refused?.reason).toBe('not_a_doorbell');
  });
});
