// INSERT-to-handler latency for a trigger-fired message, direct and queue mode.
// A table with an AFTER INSERT trigger calling fifo_write(pipe, JSON_OBJECT('id', NEW.id));
// the worker runs in this process. One autocommit INSERT at a time (no queueing):
//   t0 = process.hrtime just before the INSERT is sent (with autocommit the
//        statement and its COMMIT are one round trip),
//   handler start = hrtime at handler entry,
//   row visible   = hrtime when readCommitted (a locking read that waits for the
//                   writer's COMMIT) returned the committed row in the handler.
//   npm run bench:latency -w @dbfifo/fifo-core     (FIFO_CORE_BENCH_MESSAGES=300)
import fs from 'node:fs/promises';
import type { RowDataPacket, ResultSetHeader } from 'mysql2/promise';
import { Queue } from 'bullmq';
import { benchInt, createTestDatabase, ensureStack, uniquePipePath } from '@dbfifo/test-utils';
import { loadRuntimeConfig } from '../src/config.ts';
import { createPool } from '../src/db.ts';
import { readCommitted } from '../src/read-committed.ts';
import { startWorker } from '../src/worker.ts';
import { fmt, quantile, quietLogger, writeSection } from './report.ts';

const MESSAGES = benchInt('FIFO_CORE_BENCH_MESSAGES', 300);
const WARMUP = 20;
const stack = ensureStack();
const tdb = await createTestDatabase('fifo_core_bench');
const pool = createPool({ url: tdb.url }, { connectionLimit: 4 });
const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;

interface Sample {
  insert: number;
  start: number;
  visible: number;
}

async function measure(mode: 'direct' | 'queue'): Promise<Sample[]> {
  const pipe = uniquePipePath(`fifo-core-latency-${mode}`);
  const table = `lat_${mode}`;
  await pool.query(`CREATE TABLE ${table} (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20) NOT NULL)`);
  await pool.query(`CREATE TRIGGER ${table}_ai AFTER INSERT ON ${table} FOR EACH ROW SET @r = fifo_write(${pool.escape(pipe)}, JSON_OBJECT('id', NEW.id))`);
  const runtime = loadRuntimeConfig('latency', {
    DBFIFO_PIPE: pipe,
    DBFIFO_PIPE_GROUP: stack.pipeGroup,
    DBFIFO_MODE: mode,
    REDIS_URL: stack.redisUrl,
    DBFIFO_QUEUE_PREFIX: 'fifo-core-bench',
    DBFIFO_QUEUE_NAME: `latency-${process.pid}`,
    DBFIFO_RECONCILE_INTERVAL_MS: '0',
  });
  const started = new Map<number, bigint>();
  const visible = new Map<number, bigint>();
  const w = startWorker(
    {
      name: 'latency',
      handle: async (m) => {
        const t = process.hrtime.bigint();
        const id = (m.json as { id: number }).id;
        started.set(id, t);
        const row = await readCommitted<RowDataPacket>(pool, `SELECT id FROM ${table} WHERE id = ?`, [id], { timeoutMs: 2000 });
        if (row) visible.set(id, process.hrtime.bigint());
      },
    },
    { runtime, db: { url: tdb.url } },
    { logger: quietLogger() },
  );
  await w.ready;
  const conn = await pool.getConnection();
  const samples: Sample[] = [];
  for (let i = 0; i < WARMUP + MESSAGES; i++) {
    const t0 = process.hrtime.bigint();
    const [res] = await conn.query<ResultSetHeader>(`INSERT INTO ${table} (v) VALUES ('x')`);
    const t1 = process.hrtime.bigint();
    const id = res.insertId;
    while (!visible.has(id)) await new Promise((r) => setImmediate(r));
    if (i >= WARMUP) samples.push({ insert: ms(t0, t1), start: ms(t0, started.get(id)!), visible: ms(t0, visible.get(id)!) });
  }
  conn.release();
  await w.stop();
  if (mode === 'queue') {
    const q = new Queue(runtime.queue.name, { connection: { url: stack.redisUrl }, prefix: runtime.queue.prefix });
    await q.obliterate({ force: true });
    await q.close();
  }
  await fs.rm(pipe, { force: true });
  await fs.rm(`${pipe}.dead`, { force: true });
  return samples;
}

const rows: string[] = [];
try {
  const direct = await measure('direct');
  const queue = await measure('queue');
  const row = (label: string, xs: number[]) =>
    `| ${label} | ${fmt(quantile(xs, 0.5), 2)} | ${fmt(quantile(xs, 0.99), 2)} | ${fmt(Math.max(...xs), 2)} |`;
  rows.push(row('INSERT round trip (reference)', direct.map((s) => s.insert)));
  rows.push(row('direct: INSERT sent → handler start', direct.map((s) => s.start)));
  rows.push(row('direct: INSERT sent → row visible in handler', direct.map((s) => s.visible)));
  rows.push(row('queue: INSERT sent → handler start', queue.map((s) => s.start)));
  rows.push(row('queue: INSERT sent → row visible in handler', queue.map((s) => s.visible)));
} finally {
  await pool.end();
  await tdb.drop();
}
writeSection(
  'latency',
  `## INSERT-to-handler latency (trigger → fifo_write → pipe → handler)

An \`AFTER INSERT\` trigger calls \`fifo_write(pipe, JSON_OBJECT('id', NEW.id))\`; the worker runs in the
benchmark process. ${MESSAGES} autocommit INSERTs one at a time (after ${WARMUP} warm-up). Times in ms from
\`process.hrtime\` just before the INSERT is sent (with autocommit the statement and its COMMIT are one
round trip) to: the handler's first line ("handler start"), and \`readCommitted\` returning the committed row
("row visible"). The trigger fires before COMMIT, so a handler can start before the INSERT's reply
arrives; "row visible" is the figure a worker acts on. Queue mode: relay + consumer in one process,
BullMQ on the local Redis.

| path | p50 ms | p99 ms | max ms |
| --- | --- | --- | --- |
${rows.join('\n')}`,
);
process.exit(0);
