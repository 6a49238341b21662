// Worker side: how fast fifo-core takes lines off a pipe. Ingest = read +
// split + parse + a no-op handler (direct mode); relay = read + split +
// parse + add to BullMQ (queue mode, relay role). A separate writer process
// fills the pipe as fast as the kernel lets it, so the reader is the limit.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { createPipe, type StackEnv } from '@dbfifo/test-utils';
import { fmt, type ScenarioResult } from '../results.ts';
import { machineInfo } from '../stack.ts';
import { loadCore, startCoreWorker } from '../fifo-core.ts';
import type { BenchConfig } from '../config.ts';

// Runs in the child: N envelope lines, written in blocking ≤ 4 KiB chunks (whole lines only).
const WRITER = `
const fs = require('node:fs');
const [pipe, n] = [process.argv[1], Number(process.argv[2])];
const fd = fs.openSync(pipe, 'w');
let buf = '';
for (let i = 1; i <= n; i++) {
  const line = '{"table":"news","op":"update","id":' + i + '}\\n';
  if (buf.length + line.length > 4096) { fs.writeSync(fd, buf); buf = ''; }
  buf += line;
}
if (buf) fs.writeSync(fd, buf);
fs.closeSync(fd);
`;

function writeLines(pipe: string, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', WRITER, pipe, String(n)], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`))));
  });
}

interface Rate {
  what: string;
  lines: number;
  seconds: number;
  perSecond: number;
}

async function measure(stack: StackEnv, lines: number, mode: 'direct' | 'queue'): Promise<Rate | undefined> {
  const core = await loadCore();
  if (!core) return undefined;
  const pipe = join(stack.pipeDir, `bench-worker-${mode}-${process.pid}`);
  await createPipe(pipe, 0o666);
  let handled = 0;
  let first = 0;
  let last = 0;
  const worker = startCoreWorker(core, {
    name: `bench-${mode}`,
    pipe,
    pipeDir: stack.pipeDir,
    mode,
    role: mode === 'queue' ? 'relay' : 'both',
    redisUrl: stack.redisUrl,
    databaseUrl: stack.databaseUrl,
    concurrency: 64,
    handle: async () => {
      if (handled++ === 0) first = performance.now();
      last = performance.now();
    },
  });
  await worker.ready;
  const t0 = performance.now();
  const writing = writeLines(pipe, lines);
  const done = () => (mode === 'direct' ? handled : worker.metrics.relayed ?? 0) >= lines;
  const deadline = Date.now() + 600_000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const end = mode === 'direct' ? last : performance.now();
  await writing;
  await worker.stop();
  if (mode === 'queue') {
    const queue = new Queue(join(pipe).split('/').pop()!, { connection: { url: stack.redisUrl } });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  // Direct: first handler entry → last; queue: writer start → last relayed (no handler runs).
  const seconds = (end - (mode === 'direct' ? first : t0)) / 1000;
  const count = mode === 'direct' ? handled : (worker.metrics.relayed ?? 0);
  return { what: mode === 'direct' ? 'ingest: read + split + parse + no-op handler (direct)' : 'relay: read + split + parse + BullMQ add (queue, relay role)', lines: count, seconds, perSecond: count / seconds };
}

export async function workerSide(stack: StackEnv, config: BenchConfig): Promise<ScenarioResult> {
  const lines = config.worker.lines;
  const rates: Rate[] = [];
  const notes: string[] = [];
  for (const mode of ['direct', 'queue'] as const) {
    const r = await measure(stack, lines, mode);
    if (r) {
      rates.push(r);
      process.stderr.write(`[bench] worker ${mode}: ${fmt(r.perSecond)} lines/s\n`);
    } else notes.push(`${mode}: skipped, fifo-core startWorker is not available.`);
  }
  notes.push("Each worker's own end-to-end figure (texts/s to the local API, pages/s, bans/s) is measured by that worker's engineer and linked below under \"Each worker's own figures\".");
  return {
    scenario: 'worker',
    title: 'Worker side: ingest and relay rate',
    machine: await machineInfo(stack),
    params: { 'lines (BENCH_WORKER_LINES)': lines },
    method: [
      `A separate Node process writes ${fmt(lines)} envelope lines (\`{"table":"news","op":"update","id":N}\`) into the pipe in blocking writes of whole lines up to 4 KiB; fifo-core \`startWorker\` reads them (concurrency 64, default max line 4096 B, JSON parsed for every line).`,
      'Ingest: direct mode with a no-op handler, time from the first to the last handler entry. Relay: queue mode with the relay role only, time from starting the writer to the last line acknowledged by Redis (`metrics.relayed`).',
    ],
    table: { headers: ['what', 'lines', 'seconds', 'lines/s'], rows: rates.map((r) => [r.what, fmt(r.lines), r.seconds.toFixed(2), fmt(r.perSecond)]) },
    chart: { title: 'worker lines per second', unit: 'lines/s', bars: rates.map((r) => ({ label: r.what.split(':')[0]!, value: r.perSecond })) },
    notes,
    data: rates,
  };
}
