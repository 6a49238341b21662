// What the webhook-worker tests share: a private database with the orders
// table of sql/webhook/schema.sql (its triggers ringing a private pipe), a
// local receiver (tools/webhook-receiver) the worker POSTs to, and the worker
// started with the environment a deployment would give it.
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createLogger, startWorker, type RunningWorker } from '@dbfifo/fifo-core';
import { connect, createTestDatabase, removePipe, stackEnv, tempDir, uniquePipePath, waitFor, type TestDatabase } from '@dbfifo/test-utils';
import { startWebhookReceiver, type Received, type WebhookReceiver } from '@dbfifo/webhook-receiver';
import type { Connection } from 'mysql2/promise';
import { loadWebhookConfig, PIPE, type WebhookConfig } from '../src/config.ts';
import { createWebhookWorker, type WebhookWorker } from '../src/worker.ts';

export const SCHEMA = fileURLToPath(new URL('../../../sql/webhook/schema.sql', import.meta.url));
const DBFIFO = fileURLToPath(new URL('../../fifo-core/bin/dbfifo.mjs', import.meta.url));
const run = promisify(execFile);

export interface Running {
  worker: WebhookWorker;
  running: RunningWorker;
}

export interface Fixture {
  db: TestDatabase;
  sql: Connection;
  pipe: string;
  receiver: WebhookReceiver;
  env: Record<string, string>;
  config(extra?: Record<string, string>): WebhookConfig;
  /** `npx dbfifo trigger add <db>.<table> --pipe <this fixture's pipe>`, as a user runs it; its output. */
  addTriggers(table: string): Promise<string>;
  /** Starts a worker (stopped by close() if still running). */
  start(extra?: Record<string, string>): Promise<Running>;
  close(): Promise<void>;
}

/**
 * A database loaded with sql/webhook/schema.sql, its `fifo_write('webhook', …)`
 * ringing this fixture's pipe; `schema: false` for an empty database the test
 * fills itself.
 */
export async function webhookFixture(o: { env?: Record<string, string>; secret?: string; schema?: false } = {}): Promise<Fixture> {
  const stack = stackEnv();
  const pipe = uniquePipePath('webhook-test');
  const db = await createTestDatabase('webhook_test');
  if (o.schema !== false) {
    const text = (await readFile(SCHEMA, 'utf8')).replaceAll(`fifo_write('${PIPE}',`, `fifo_write('${basename(pipe)}',`);
    if (!text.includes(basename(pipe))) throw new Error(`${SCHEMA} rings no fifo_write('${PIPE}', …): run npm run sql:triggers`);
    const copy = join(tempDir('webhook-test-'), 'schema.sql');
    await writeFile(copy, text);
    await db.load(copy);
  }
  const receiver = await startWebhookReceiver({ secret: o.secret });
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    DBFIFO_PIPE_DIR: stack.pipeDir,
    DBFIFO_PIPE: pipe,
    DBFIFO_PIPE_MODE: '0666',
    DBFIFO_RECONCILE_INTERVAL_MS: '0',
    DBFIFO_SHUTDOWN_TIMEOUT_MS: '3000',
    REDIS_URL: stack.redisUrl,
    WEBHOOK_URL: receiver.url,
    WEBHOOK_TIMEOUT_MS: '1000',
    WEBHOOK_RETRY_BASE_MS: '50',
    WEBHOOK_RETRY_MAX_MS: '400',
    WEBHOOK_ATTEMPTS: '1000',
    ...(o.secret ? { WEBHOOK_SECRET: o.secret } : {}),
    LOG_LEVEL: 'silent',
    ...o.env,
  };
  const sql = await connect(db.url);
  const started: RunningWorker[] = [];
  const config = (extra: Record<string, string> = {}) => loadWebhookConfig({ ...env, ...extra });
  return {
    db,
    sql,
    pipe,
    receiver,
    env,
    config,
    async addTriggers(table) {
      const { stdout } = await run(process.execPath, [DBFIFO, 'trigger', 'add', `${db.name}.${table}`, '--pipe', basename(pipe)], {
        env: { ...process.env, DBFIFO_ADMIN_URL: db.url },
      });
      return stdout;
    },
    async start(extra = {}) {
      const c = config(extra);
      const worker = createWebhookWorker();
      const running = startWorker(worker, c, { logger: createLogger('webhook-worker', c.runtime.logLevel) });
      started.push(running);
      await running.ready;
      return { worker, running };
    },
    async close() {
      await Promise.all(started.map((r) => r.stop()));
      await receiver.close();
      await sql.end();
      await db.drop();
      await removePipe(pipe);
      await rm(`${pipe}.dead`, { force: true });
    },
  };
}

/** The effects the receiver took for one row, in order. */
export function effectsOf(receiver: WebhookReceiver, key: Record<string, unknown>): Received[] {
  const k = JSON.stringify(key);
  return receiver.effects.filter((e) => JSON.stringify(e.key) === k);
}

/** Waits until the receiver took `n` effects in all. */
export function effects(receiver: WebhookReceiver, n: number, timeoutMs = 15_000): Promise<unknown> {
  return waitFor(() => receiver.effects.length >= n, { timeoutMs, message: `${n} effect(s) at the receiver (has ${receiver.effects.length})` });
}

/**
 * The receiver's view of each row, from its effects in order: the last row
 * sent, or null after a delete. Throws when a row's effects go back in time
 * (`v`, where a test's table has it, counts each row's changes).
 */
export function receiverState(receiver: WebhookReceiver): Map<string, Record<string, unknown> | null> {
  const state = new Map<string, Record<string, unknown> | null>();
  const lastV = new Map<string, number>();
  for (const e of receiver.effects) {
    const k = JSON.stringify(e.key);
    if (e.row && typeof e.row.v === 'number') {
      if ((lastV.get(k) ?? -1) >= e.row.v) throw new Error(`${k}: v ${e.row.v} delivered after v ${lastV.get(k)}: out of order`);
      lastV.set(k, e.row.v);
    }
    if (e.op === 'delete') lastV.delete(k);
    state.set(k, e.row);
  }
  return state;
}
