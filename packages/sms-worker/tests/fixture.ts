// What the sms-worker tests share: a private database with the outbox schema
// (trigger ringing a private pipe), the local Twilio-compatible API, and the
// worker's config as the environment would give it.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createLogger, Registry, type Helpers, type Message } from '@dbfifo/fifo-core';
import { connect, createTestDatabase, removePipe, repoRoot, stackEnv, uniquePipePath, tempDir, type TestDatabase } from '@dbfifo/test-utils';
import type { Connection } from 'mysql2/promise';
import { startTwilioLocal, type TwilioLocal } from '@dbfifo/twilio-local';
import { loadSmsConfig, type SmsConfig } from '../src/config.ts';
import type { SmsLine } from '../src/line.ts';
import { createSmsWorker, type SmsWorker } from '../src/worker.ts';

export const ACCOUNT_SID = 'AC' + '5a'.repeat(16);
export const AUTH_TOKEN = 'test-token';
export const FROM = '+15005550006';
export const SCHEMA = resolve(repoRoot, 'sql/sms/schema.sql');
export const ARTICLE_SQL = resolve(repoRoot, 'sql/sms/article-demo.sql');

export interface Fixture {
  db: TestDatabase;
  sql: Connection;
  api: TwilioLocal;
  pipe: string;
  env: Record<string, string>;
  config(extra?: Record<string, string>): SmsConfig;
  /** Loads a SQL file with the pipe name 'sms' replaced by this fixture's pipe. */
  load(file: string): Promise<void>;
  close(): Promise<void>;
}

export async function smsFixture(env: Record<string, string> = {}): Promise<Fixture> {
  const stack = stackEnv();
  const pipe = uniquePipePath('sms-test');
  const tmp = tempDir('sms-test-');
  const db = await createTestDatabase('sms_test');
  const api = await startTwilioLocal({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, port: 0 });
  const load = async (file: string): Promise<void> => {
    const text = (await readFile(file, 'utf8')).replaceAll("fifo_write('sms',", `fifo_write('${pipe}',`);
    const copy = join(tmp, file.split('/').pop()!);
    await writeFile(copy, text);
    await db.load(copy);
  };
  await load(SCHEMA);
  const baseEnv: Record<string, string> = {
    DATABASE_URL: db.url,
    DBFIFO_PIPE_DIR: stack.pipeDir,
    DBFIFO_PIPE: pipe,
    DBFIFO_PIPE_MODE: '0666',
    DBFIFO_RECONCILE_INTERVAL_MS: '0',
    DBFIFO_SHUTDOWN_TIMEOUT_MS: '3000',
    REDIS_URL: stack.redisUrl,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_FROM: FROM,
    TWILIO_API_BASE_URL: api.url,
    TWILIO_HTTP_TIMEOUT_MS: '2000',
    SMS_RATE_PER_SEC: '0',
    SMS_RETRY_BASE_MS: '10',
    SMS_RETRY_MAX_MS: '50',
    SMS_ROW_WAIT_MS: '300',
    SMS_STUCK_AFTER_MS: '5000',
    LOG_LEVEL: 'silent',
    ...env,
  };
  const sql = await connect(db.url);
  return {
    db,
    sql,
    api,
    pipe,
    env: baseEnv,
    config: (extra = {}) => loadSmsConfig({ ...baseEnv, ...extra }),
    load,
    async close() {
      await sql.end();
      await api.close();
      await db.drop();
      await removePipe(pipe);
      await rm(`${pipe}.dead`, { force: true });
    },
  };
}

/** A worker definition started by hand: tests call handleBatch()/reconcile() directly. */
export async function startedWorker(config: SmsConfig): Promise<{ worker: SmsWorker; helpers: Helpers<SmsConfig>; stop(): Promise<void> }> {
  const worker = createSmsWorker();
  const abort = new AbortController();
  const helpers: Helpers<SmsConfig> = { log: createLogger('sms-test', config.runtime.logLevel), signal: abort.signal, config, registry: new Registry() };
  await worker.start!(helpers);
  return {
    worker,
    helpers,
    async stop() {
      abort.abort();
      await worker.stop!(helpers);
    },
  };
}

/** One message through handleBatch, as the runtime calls it; rejects with the message's error. */
export async function handleOne(worker: SmsWorker, message: Message<SmsLine>, helpers: Helpers<SmsConfig>): Promise<void> {
  const [err] = (await worker.handleBatch([message], helpers)) ?? [];
  if (err) throw err;
}

/** The error a promise rejects with (the test fails if it resolves). */
export async function failure(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a failure, it succeeded');
}

/** A Message as the runtime would build it from one line. */
export function lineMessage(raw: string, worker: SmsWorker, helpers: Helpers<SmsConfig>, id = `test:${Math.random().toString(36).slice(2)}`): Message<SmsLine> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = undefined;
  }
  const base = { raw, json, body: undefined as unknown, receivedAt: new Date(), id, pipe: '/test', attempt: 1, merged: 1 };
  return { ...base, body: worker.parse!(base, helpers) };
}

export async function outboxRows(sql: Connection): Promise<Record<string, unknown>[]> {
  const [rows] = await sql.query('SELECT id, mobile, body, status, to_e164, provider_sid, attempts, error_code, last_error, claim_token FROM sms_outbox ORDER BY id');
  return rows as Record<string, unknown>[];
}
