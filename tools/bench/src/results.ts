// Each scenario saves what it measured as JSON under tools/bench/results/,
// so running one scenario alone re-renders docs/benchmarks.md with the
// latest figures of every other scenario kept.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Machine } from './stack.ts';

export const benchRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = resolve(benchRoot, '../..');
const resultsDir = join(benchRoot, 'results');

export interface Table {
  headers: string[];
  rows: (string | number)[][];
}

export interface Bar {
  label: string;
  value: number;
  /** Optional second value drawn as a thin marker (e.g. p99 beside a p50 bar). */
  marker?: number;
}

export interface ScenarioResult {
  scenario: string;
  title: string;
  machine: Machine;
  /** The sizes actually run, by parameter name (and env variable). */
  params: Record<string, string | number>;
  method: string[];
  table?: Table;
  /** Markdown included as is (e.g. another package's benchmark section). */
  include?: string;
  /** Extra tables (e.g. ratios). */
  extra?: { title: string; table: Table }[];
  chart?: { title: string; unit: string; bars: Bar[]; log?: boolean };
  notes: string[];
  /** Raw figures for anyone who wants to recompute. */
  data: unknown;
}

export function saveResult(result: ScenarioResult): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${result.scenario}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}

export function loadResults(order: readonly string[]): ScenarioResult[] {
  let files: string[] = [];
  try {
    files = readdirSync(resultsDir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const all = files.map((f) => JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as ScenarioResult);
  const rank = (s: string) => (order.indexOf(s) === -1 ? order.length : order.indexOf(s));
  return all.sort((a, b) => rank(a.scenario) - rank(b.scenario));
}

/** Formats a number for a table: integers with thousands separators, others to 3 significant places. */
export function fmt(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return '–';
  if (Math.abs(n) >= 100 || Number.isInteger(n)) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(digits);
}
