// A running static-gen against its own database, pipe and output folder:
// the real runtime (startWorker), the real triggers (renamed to ring the
// test's pipe instead of the shared `static`), real files.
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Connection } from 'mysql2/promise';
import { startWorker, type RunningWorker } from '@dbfifo/fifo-core';
import { connect, createTestDatabase, repoRoot, stackEnv, uniquePipePath, tempDir, waitFor, type TestDatabase } from '@dbfifo/test-utils';
import { createStaticGen, type StaticGenWorker } from '../src/worker.ts';
import { loadStaticConfig, type StaticConfig } from '../src/config.ts';

export const SCHEMA = join(repoRoot, 'sql/static/schema.sql');

export interface TestSite {
  db: TestDatabase;
  sql: Connection;
  outDir: string;
  config: StaticConfig;
  worker: StaticGenWorker;
  running: RunningWorker;
  /** Stop the worker (pipe lines are then missed, as when it is down) and start a fresh one on the same database and folder. */
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
  /** Environment for a child process (the rebuild command) with this site's configuration. */
  env: Record<string, string>;
  /** Every log line the worker wrote (NDJSON objects). */
  logs: Record<string, unknown>[];
  /** Wait until nothing the worker has taken is pending or being handled (retries included), and the sitemap is written. */
  settled(): Promise<void>;
  page(slug: string): Promise<string | undefined>;
  /** Every file under the output folder, relative. */
  files(): Promise<string[]>;
  close(): Promise<void>;
}

/** Schema with the pipe name swapped, so test triggers never ring a real worker's pipe. */
async function schemaFor(pipeName: string, dir: string): Promise<string> {
  const text = (await readFile(SCHEMA, 'utf8')).replaceAll(`fifo_write('static',`, `fifo_write('${pipeName}',`);
  if (!text.includes(pipeName)) throw new Error('schema.sql no longer calls fifo_write(\'static\', …)');
  const file = join(dir, 'schema.sql');
  await writeFile(file, text);
  return file;
}

export async function listFiles(dir: string, root = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p, root)));
    else out.push(relative(root, p));
  }
  return out.sort();
}

export async function startTestSite(env: Record<string, string> = {}): Promise<TestSite> {
  const stack = stackEnv();
  const pipe = uniquePipePath('static-gen');
  const work = tempDir('static-gen-test-');
  const outDir = join(work, 'site');
  const db = await createTestDatabase('static_test', [await schemaFor(basename(pipe), work)]);
  const childEnv: Record<string, string> = {
    DATABASE_URL: db.url,
    DBFIFO_PIPE_DIR: stack.pipeDir,
    DBFIFO_PIPE: pipe,
    DBFIFO_PIPE_MODE: stack.pipeMode,
    DBFIFO_PIPE_GROUP: stack.pipeGroup,
    DBFIFO_RECONCILE_INTERVAL_MS: '0',
    DBFIFO_DEAD_LETTER: join(work, 'dead.ndjson'),
    STATIC_OUT_DIR: outDir,
    STATIC_FSYNC: 'false',
    STATIC_ROW_WAIT_MS: '400',
    STATIC_SITEMAP_DELAY_MS: '100',
    LOG_LEVEL: 'info',
    ...env,
  };
  const config = loadStaticConfig(childEnv);
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const sql = await connect(db.url);
  const site: TestSite = {
    db, sql, outDir, config, logs, env: childEnv,
    worker: createStaticGen(),
    running: undefined as unknown as RunningWorker,
    async stopWorker() {
      await site.running.stop();
    },
    async startWorker() {
      site.worker = createStaticGen();
      site.running = startWorker(site.worker, config, { logger: pino({ level: 'info' }, sink) });
      await site.running.ready;
    },
    async settled() {
      const pending = async () => (await site.running.registry.getSingleMetric('dbfifo_pending')!.get()).values[0]?.value ?? 0;
      await waitFor(async () => site.running.metrics.inFlight === 0 && (await pending()) === 0, { message: 'every line taken is settled' });
      await site.worker.drain();
    },
    page: (slug) => readFile(join(outDir, 'news', `${slug}.html`), 'utf8').catch(() => undefined),
    files: () => listFiles(outDir),
    async close() {
      await sql.end();
      await site.running.stop();
      await db.drop();
      await rm(pipe, { force: true });
    },
  };
  await site.startWorker();
  return site;
}

export const PUBLISH = `INSERT INTO news (slug, title, summary, body, author, status) VALUES (?, ?, ?, ?, ?, 'published')`;
