// The sections of docs/bench/static-gen.md that static-gen.bench.ts writes:
// single-article regeneration and the full rebuild, each between
// `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` (tools/bench includes them
// in docs/benchmarks.md). Everything outside the markers is written by hand
// (what was run, the batch path with its before/after, comments on earlier
// runs) and kept as it is. Pure functions: no database, no files.

export interface Timing { n: number; medianMs: number; p99Ms: number; meanMs: number; perSec: number }
export interface Rebuild {
  seconds: number; pagesPerSec: number; written: number;
  againAllUnchangedSeconds: number; againWritten: number;
  quietReconcileSeconds: number; quietRendered: number;
}
/** What static-gen.bench.ts prints as JSON (the doc's "Raw output"). */
export interface StaticGenResults {
  stack: string;
  articles: number;
  single: number;
  cpus: number;
  loadavgAtStart: string;
  loadavgAtEnd?: string;
  /** YYYY-MM-DD of the run. */
  date?: string;
  renderConcurrency?: number;
  single_fsync_true?: Timing;
  single_unchanged_fsync_true?: Timing;
  single_fsync_false?: Timing;
  rebuild_fsync_true?: Rebuild;
  rebuild_fsync_false?: Rebuild;
  [key: string]: unknown;
}

export const SECTIONS = ['static-gen-single', 'static-gen-rebuild'] as const;
/** Samples of each single-article case left out as warm-up (static-gen.bench.ts). */
export const WARMUP = 10;

const ms = (x: number) => `${x >= 100 ? Math.round(x) : x.toPrecision(3)} ms`;
const s1 = (x: number) => `${x.toFixed(1)} s`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');

function stamp(r: StaticGenResults): string {
  return `_Run ${r.date ?? 'date not recorded'} on ${r.cpus} CPUs, tools/stack instance \`${r.stack}\`, ${int(r.articles)} articles; load average ${r.loadavgAtStart} at start, ${r.loadavgAtEnd ?? 'not recorded'} at the end (shared machine: compare ratios, not absolutes)._`;
}

export function singleSection(r: StaticGenResults): string {
  const t = r.single_fsync_true!, f = r.single_fsync_false!, u = r.single_unchanged_fsync_true!;
  const row = (label: string, x: Timing) => `| ${label} | ${x.n} | ${ms(x.medianMs)} | ${ms(x.p99Ms)} | ${ms(x.meanMs)} | ${Math.round(x.perSec)}/s |`;
  return `<!-- bench:static-gen-single -->
## Single-article regeneration (DB read + render + atomic write)

Each sample: \`SELECT\` the row, render it with the shipped templates, write it
(temp file in the same folder, rename) — after an untimed \`UPDATE\` of its
title so the bytes really change. "Unchanged" is the same without the
\`UPDATE\`: read, render, compare with the file on disk, no write.

| case | n | median | p99 | mean | rate |
| --- | ---: | ---: | ---: | ---: | ---: |
${row('changed, `STATIC_FSYNC=true` (default)', t)}
${row('changed, `STATIC_FSYNC=false`', f)}
${row('unchanged bytes (no write)', u)}

fsync costs ${(t.medianMs / f.medianMs).toFixed(1)}× at the median (two fsyncs: the file, then its folder after
the rename). Skipping an unchanged page is ${(t.medianMs / u.medianMs).toFixed(1)}× cheaper than writing it.

${stamp(r)}
<!-- /bench:static-gen-single -->`;
}

export function rebuildSection(r: StaticGenResults): string {
  const t = r.rebuild_fsync_true!, f = r.rebuild_fsync_false!;
  return `<!-- bench:static-gen-rebuild -->
## Full rebuild of ${int(r.articles)} articles

\`reconcile({ force: true })\` — what \`nx run static-gen:rebuild\` runs — into an
empty folder, then again over the finished folder (every page rendered and
compared, none rewritten), then a normal reconcile pass (stat every page,
compare its mtime with the row's \`updated_at\`; nothing to do).
\`STATIC_RENDER_CONCURRENCY=${r.renderConcurrency ?? 4}\`, rows fetched in chunks of 250.
With \`STATIC_FSYNC=true\` a pass writes its pages without an fsync each and syncs the
file system once at its end, inside the time shown (an "unsynced" marker covers the
pass; see the package README, "Durability"); \`false\` skips that one sync too.
"Rebuild again, all bytes unchanged" is also what the verify pass after a power loss
during a pass costs.

| | \`STATIC_FSYNC=true\` (default) | \`STATIC_FSYNC=false\` |
| --- | ---: | ---: |
| rebuild into an empty folder | ${s1(t.seconds)} (${Math.round(t.pagesPerSec)} pages/s) | ${s1(f.seconds)} (${Math.round(f.pagesPerSec)} pages/s) |
| rebuild again, all bytes unchanged | ${s1(t.againAllUnchangedSeconds)} (${t.againWritten} written) | ${s1(f.againAllUnchangedSeconds)} (${f.againWritten} written) |
| normal reconcile, nothing stale | ${s1(t.quietReconcileSeconds)} (${t.quietRendered} rendered) | ${s1(f.quietReconcileSeconds)} (${f.quietRendered} rendered) |

${stamp(r)}
<!-- /bench:static-gen-rebuild -->`;
}

/**
 * `doc` with both sections replaced between their markers; a section whose
 * markers are missing is appended at the end. Text outside the markers is kept.
 */
export function updateDoc(doc: string, r: StaticGenResults): string {
  const sections: Record<(typeof SECTIONS)[number], string> = { 'static-gen-single': singleSection(r), 'static-gen-rebuild': rebuildSection(r) };
  let out = doc;
  for (const name of SECTIONS) {
    const re = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
    out = re.test(out) ? out.replace(re, () => sections[name]) : `${out.trimEnd()}\n\n${sections[name]}\n`;
  }
  return out;
}

export const NEW_DOC = `# static-gen benchmark

\`npm run bench -w @dbfifo/static-gen\` (\`packages/static-gen/bench/static-gen.bench.ts\`).
Parameters: \`STATIC_BENCH_ARTICLES\` (rows for the rebuild, generated with MariaDB's
sequence engine \`seq_1_to_N\`; default 100000), \`STATIC_BENCH_SINGLE\` (single-article
regenerations measured; default 2000), \`STATIC_BENCH_STACK\` (tools/stack instance).
`;
