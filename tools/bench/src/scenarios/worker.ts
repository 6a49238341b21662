// Worker side: fifo-core keeps its own ingest and relay benchmarks
// (packages/fifo-core/bench, results in docs/bench/fifo-core.md). This
// scenario runs them rather than measuring the same thing twice, and
// includes their sections in docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackEnv } from '@dbfifo/test-utils';
import { repoRoot, type ScenarioResult } from '../results.ts';
import { machineInfo } from '../stack.ts';
import type { BenchConfig } from '../config.ts';

const SECTIONS = ['ingest', 'relay'] as const;

/** The text between `<!-- bench:<name> -->` and `<!-- /bench:<name> -->`, headings one level down. */
function section(doc: string, name: string): string | undefined {
  const m = doc.match(new RegExp(`<!-- bench:${name} -->([\\s\\S]*?)<!-- /bench:${name} -->`));
  return m?.[1]?.trim().replace(/^## /gm, '### ');
}

export async function workerSide(stack: StackEnv, config: BenchConfig): Promise<ScenarioResult> {
  const notes: string[] = [];
  for (const name of config.worker.rerun ? SECTIONS : []) {
    process.stderr.write(`[bench] worker: npm run bench:${name} -w @dbfifo/fifo-core\n`);
    const r = spawnSync('npm', ['run', `bench:${name}`, '-w', '@dbfifo/fifo-core'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) notes.push(`fifo-core's bench:${name} exited ${r.status}; its last saved figures are shown.`);
  }
  const file = join(repoRoot, 'docs/bench/fifo-core.md');
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const included = SECTIONS.map((n) => section(doc, n)).filter((s): s is string => Boolean(s));
  if (included.length < SECTIONS.length) notes.push('Some of fifo-core\'s sections were not found in docs/bench/fifo-core.md.');
  return {
    scenario: 'worker',
    title: 'Worker side: ingest and relay rate',
    machine: await machineInfo(stack),
    params: { source: 'packages/fifo-core/bench (ingest.bench.ts, relay.bench.ts), on the shared stack' },
    method: [
      "Measured by fifo-core's own benchmarks, run by this scenario (`npm run bench:ingest -w @dbfifo/fifo-core`, `bench:relay`); their method and figures are included as written in [docs/bench/fifo-core.md](bench/fifo-core.md).",
    ],
    include: included.join('\n\n'),
    notes,
    data: { included: included.length },
  };
}
