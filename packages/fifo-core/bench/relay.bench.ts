// Relay rate into BullMQ: FIFO_CORE_BENCH_LINES lines through the pipe into the queue
// (relay role, one addBulk per chunk read), then the drain rate of one consumer
// process with a no-op handler (DBFIFO_CONCURRENCY 8). Uses the local stack's
// Redis and a queue of its own, removed afterwards. Median of FIFO_CORE_BENCH_RUNS runs.
//   npm run bench:relay -w @dbfifo/fifo-core     (FIFO_CORE_BENCH_LINES=20000 FIFO_CORE_BENCH_RUNS=3)
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Queue } from 'bullmq';
import { benchInt, ensureStack, tempDir } from '@dbfifo/test-utils';
import { loadRuntimeConfig } from '../src/config.ts';
import { startWorker } from '../src/worker.ts';
import { fmt, median, quietLogger, writeSection } from './report.ts';

const LINES = benchInt('FIFO_CORE_BENCH_LINES', 20_000);
const RUNS = benchInt('FIFO_CORE_BENCH_RUNS', 3);
const stack = ensureStack();
const db = { url: 'mysql://unused@127.0.0.1/unused' };

async function until(cond: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await cond())) await new Promise((r) => setTimeout(r, 5));
}

async function once(run: number): Promise<{ relay: number; consume: number; relayCpu: number; consumeCpu: number }> {
  const dir = tempDir('fifo-core-bench-');
  const env = {
    DBFIFO_PIPE_DIR: dir,
    DBFIFO_MODE: 'queue',
    REDIS_URL: stack.redisUrl,
    DBFIFO_QUEUE_PREFIX: 'fifo-core-bench',
    DBFIFO_QUEUE_NAME: `relay-${process.pid}-${run}`,
    DBFIFO_RECONCILE_INTERVAL_MS: '0',
  };
  const relayRt = loadRuntimeConfig('relay', { ...env, DBFIFO_ROLE: 'relay' });
  const relay = startWorker({ name: 'relay', handle: async () => {} }, { runtime: relayRt, db }, { logger: quietLogger() });
  await relay.ready;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'writer-child.mjs'), relayRt.pipe, String(LINES)], { stdio: 'inherit' });
  await until(() => relay.metrics.relayed === LINES);
  const t1 = process.hrtime.bigint();
  const c1 = process.cpuUsage(c0);
  await new Promise((r) => (child.exitCode === null ? child.on('exit', r) : r(null)));
  await relay.stop();

  let handled = 0;
  const consumerRt = loadRuntimeConfig('relay', { ...env, DBFIFO_ROLE: 'consumer' });
  const c2 = process.cpuUsage();
  const t2 = process.hrtime.bigint();
  const consumer = startWorker({ name: 'relay', handle: async () => void handled++ }, { runtime: consumerRt, db }, { logger: quietLogger() });
  await until(() => handled === LINES);
  const t3 = process.hrtime.bigint();
  const c3 = process.cpuUsage(c2);
  await consumer.stop();
  const q = new Queue(relayRt.queue.name, { connection: { url: stack.redisUrl }, prefix: relayRt.queue.prefix });
  await q.obliterate({ force: true });
  await q.close();
  return {
    relay: LINES / (Number(t1 - t0) / 1e9),
    consume: LINES / (Number(t3 - t2) / 1e9),
    relayCpu: (c1.user + c1.system) / LINES,
    consumeCpu: (c3.user + c3.system) / LINES,
  };
}

const results: Awaited<ReturnType<typeof once>>[] = [];
for (let i = 0; i < RUNS; i++) results.push(await once(i));
const relay = results.map((r) => r.relay);
const consume = results.map((r) => r.consume);
const relayCpu = median(results.map((r) => r.relayCpu));
const consumeCpu = median(results.map((r) => r.consumeCpu));
writeSection(
  'relay',
  `## Queue mode: relay into BullMQ, and one consumer draining it

${fmt(LINES)} JSON lines of ~100 bytes per run through the pipe into a BullMQ queue on the local Redis
(relay: one \`addBulk\` per chunk read, awaited before the next read); then one consumer process,
DBFIFO_CONCURRENCY 8, no-op handler. Timed from the writer's start to the last job added, and from
the consumer's start to the last job handled. Median of ${RUNS} runs. CPU µs/job is this process's
user+system CPU per job (Redis's own CPU not included).

| stage | jobs/s wall (median) | range | CPU µs/job (median) |
| --- | --- | --- | --- |
| relay (pipe → Redis) | ${fmt(median(relay))} | ${fmt(Math.min(...relay))} – ${fmt(Math.max(...relay))} | ${fmt(relayCpu, 1)} |
| consume (Redis → no-op handler) | ${fmt(median(consume))} | ${fmt(Math.min(...consume))} – ${fmt(Math.max(...consume))} | ${fmt(consumeCpu, 1)} |`,
);
process.exit(0);
