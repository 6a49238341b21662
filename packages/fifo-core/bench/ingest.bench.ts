// Ingest rate: pipe read + line split + JSON parse + no-op handler, direct mode.
// A child process writes FIFO_CORE_BENCH_LINES lines (~100 B) in 4 KiB writes; we time from
// the first line received to the last one handled. Median of FIFO_CORE_BENCH_RUNS runs.
//   npm run bench:ingest -w @dbfifo/fifo-core     (FIFO_CORE_BENCH_LINES=200000 FIFO_CORE_BENCH_RUNS=5)
import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadRuntimeConfig } from '../src/config.ts';
import { startWorker } from '../src/worker.ts';
import { fmt, median, quietLogger, writeSection } from './report.ts';
import { benchInt, tempDir } from '@dbfifo/test-utils';

const LINES = benchInt('FIFO_CORE_BENCH_LINES', 200_000);
const RUNS = benchInt('FIFO_CORE_BENCH_RUNS', 5);

async function once(concurrency: number): Promise<{ rate: number; cpuUs: number }> {
  const dir = tempDir('fifo-core-bench-');
  const runtime = loadRuntimeConfig('ingest', { DBFIFO_PIPE_DIR: dir, DBFIFO_CONCURRENCY: String(concurrency), DBFIFO_RECONCILE_INTERVAL_MS: '0' });
  let first = 0n;
  let last = 0n;
  let n = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const w = startWorker(
    {
      name: 'ingest',
      handle: async (m) => {
        if (n === 0) first = process.hrtime.bigint();
        if ((m.json as { id: number }).id < 0) throw new Error('unreachable');
        if (++n === LINES) {
          last = process.hrtime.bigint();
          resolveAll();
        }
      },
    },
    { runtime, db: { url: 'mysql://unused@127.0.0.1/unused' } },
    { logger: quietLogger() },
  );
  await w.ready;
  const cpu0 = process.cpuUsage();
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'writer-child.mjs'), runtime.pipe, String(LINES)], { stdio: 'inherit' });
  await all;
  const cpu = process.cpuUsage(cpu0);
  await new Promise((r) => (child.exitCode === null ? child.on('exit', r) : r(null)));
  await w.stop();
  return { rate: LINES / (Number(last - first) / 1e9), cpuUs: (cpu.user + cpu.system) / LINES };
}

const rows: string[] = [];
for (const concurrency of [1, 8]) {
  const runs: { rate: number; cpuUs: number }[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once(concurrency));
  const rates = runs.map((r) => r.rate);
  const cpu = median(runs.map((r) => r.cpuUs));
  rows.push(`| ${concurrency} | ${fmt(median(rates))} | ${fmt(Math.min(...rates))} – ${fmt(Math.max(...rates))} | ${fmt(cpu, 1)} | ${fmt(1e6 / cpu)} |`);
}
writeSection(
  'ingest',
  `## Ingest: read + split + JSON.parse + no-op handler (direct mode)

${fmt(LINES)} JSON lines of ~100 bytes, written by a child process in ≤ 4 KiB writes; time from the first
line handled to the last; median of ${RUNS} runs. CPU µs/line is the reader process's user+system CPU
divided by lines (the writer is another process); it is far less sensitive to other load on the
machine than wall-clock rates, and 10⁶ / that is the rate one free core would sustain.

| DBFIFO_CONCURRENCY | lines/s wall (median) | range | CPU µs/line (median) | lines/s per CPU-second |
| --- | --- | --- | --- | --- |
${rows.join('\n')}`,
);
