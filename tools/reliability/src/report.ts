// Every case prints its counts on one line; the full suite also records them
// in tools/reliability/results/<case>.full.json, the evidence docs/reliability.md
// cites (the fast part, run by every `npm test`, leaves the tree clean).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize } from '@dbfifo/test-utils';
import { full } from './config.ts';

const resultsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../results');

export function report(caseName: string, counts: Record<string, unknown>): void {
  const entry = { case: caseName, suite: full ? 'full' : 'fast', at: new Date().toISOString(), ...counts };
  console.log(`[reliability] ${caseName}: ${JSON.stringify(counts)}`);
  if (!full) return;
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${caseName}.full.json`), JSON.stringify(entry, null, 2) + '\n');
}

/** INSERT times of a run as the reports show them (ms, 2 decimals). */
export function insertTimes(ms: readonly number[]): { insertP50Ms: number; insertP99Ms: number; insertMaxMs: number } {
  const s = summarize(ms);
  const r = (x: number) => Number(x.toFixed(2));
  return { insertP50Ms: r(s.p50), insertP99Ms: r(s.p99), insertMaxMs: r(s.max) };
}
