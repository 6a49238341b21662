// Worker side: fifo-core keeps its own ingest and relay benchmarks
// (packages/fifo-core/bench, results in docs/bench/fifo-core.md), and each
// worker its own (sms-worker, static-gen, firewall-worker, webhook-worker: docs/bench/*.md).
// This scenario runs them rather than measuring the same things twice
// (BENCH_WORKER_RERUN=0: it only includes their last figures). fifo-core's
// sections are saved in this scenario's result; the workers' marked sections
// are read from their files whenever docs/benchmarks.md is rendered
// (render-docs.ts, workers.ts), so --docs-only shows them too.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackEnv } from '@dbfifo/test-utils';
import { repoRoot, type ScenarioResult } from '../results.ts';
import { machineInfo } from '../stack.ts';
import { WORKER_BENCHES } from '../workers.ts';
import type { BenchConfig } from '../config.ts';

const SECTIONS = ['ingest', 'relay'] as const;

/** The text between `<!-- bench:<name> -->` and `<!-- /bench:<name> -->`, headings one level down. */
function section(doc: string, name: string): string | undefined {
  const m = doc.match(new RegExp(`<!-- bench:${name} -->([\\s\\S]*?)<!-- /bench:${name} -->`));
  return m?.[1]?.trim().replace(/^## /gm, '### ');
}

/** One worker benchmark run by this scenario (saved in data.workers; render-docs says which figures are fresh). */
export interface WorkerRerun {
  name: string;
  command: string;
  status: number | null;
  finished: string;
}

function npm(args: string[]): number | null {
  const env = { ...process.env };
  // The workers' scripts honour these: their figures must land in docs/bench/.
  for (const out of ['STATIC_BENCH_OUT', 'FIREWALL_BENCH_OUT', 'WEBHOOK_BENCH_OUT']) delete env[out];
  const r = spawnSync('npm', args, { cwd: repoRoot, env, stdio: ['ignore', 'inherit', 'inherit'] });
  return r.status;
}

export async function workerSide(stack: StackEnv, config: BenchConfig): Promise<ScenarioResult> {
  const notes: string[] = [];
  for (const name of config.worker.rerun ? SECTIONS : []) {
    process.stderr.write(`[bench] worker: npm run bench:${name} -w @dbfifo/fifo-core\n`);
    const status = npm(['run', `bench:${name}`, '-w', '@dbfifo/fifo-core']);
    if (status !== 0) notes.push(`fifo-core's bench:${name} exited ${status}; its last saved figures are shown.`);
  }
  const reruns: WorkerRerun[] = [];
  for (const w of config.worker.rerun ? WORKER_BENCHES : []) {
    const command = `npm run bench -w ${w.pkg}`;
    process.stderr.write(`[bench] worker: ${command}\n`);
    const status = npm(['run', 'bench', '-w', w.pkg]);
    reruns.push({ name: w.name, command, status, finished: new Date().toISOString() });
    if (status !== 0) notes.push(`${w.name}'s benchmark (\`${command}\`) exited ${status}; its last saved figures are shown.`);
  }
  const file = join(repoRoot, 'docs/bench/fifo-core.md');
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const included = SECTIONS.map((n) => section(doc, n)).filter((s): s is string => Boolean(s));
  if (included.length < SECTIONS.length) notes.push('Some of fifo-core\'s sections were not found in docs/bench/fifo-core.md.');
  return {
    scenario: 'worker',
    title: "Worker side: fifo-core's ingest and relay rate, and each worker's own figures",
    machine: await machineInfo(stack),
    params: {
      source: `packages/fifo-core/bench (ingest.bench.ts, relay.bench.ts), on the shared stack; ${WORKER_BENCHES.map((w) => `\`npm run bench -w ${w.pkg}\``).join(', ')}`,
      'rerun (BENCH_WORKER_RERUN)': config.worker.rerun ? 'yes' : 'no, last saved figures only',
    },
    method: [
      "Measured by fifo-core's own benchmarks, run by this scenario (`npm run bench:ingest -w @dbfifo/fifo-core`, `bench:relay`); their method and figures are included as written in [docs/bench/fifo-core.md](bench/fifo-core.md).",
      `Each worker's figures are measured by its own benchmark, run by this scenario after fifo-core's (${WORKER_BENCHES.map((w) => `\`npm run bench -w ${w.pkg}\``).join(', ')}), and included below as written in its file in \`docs/bench/\`, with the sizes, method and load it states.`,
    ],
    include: included.join('\n\n'),
    notes,
    data: { included: included.length, workers: reruns },
  };
}
