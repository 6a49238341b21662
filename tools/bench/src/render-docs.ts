// docs/benchmarks.md and docs/benchmarks.svg from the saved results, plus
// each worker's marked sections read from docs/bench/*.md (workers.ts) and
// links to those files.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, loadResults, repoRoot, type ScenarioResult, type Table } from './results.ts';
import { renderSvg } from './svg-chart.ts';
import { headline } from './summary.ts';
import { demote, readAllWorkerFigures, type WorkerFigures } from './workers.ts';
import type { WorkerRerun } from './scenarios/worker.ts';

function mdTable(t: Table): string {
  const line = (cells: (string | number)[]) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(t.headers), line(t.headers.map(() => '---')), ...t.rows.map(line)].join('\n');
}

/** Figures derived from a result's saved data at render time (so --docs-only shows them for old results too). */
function derivedNotes(r: ScenarioResult): string[] {
  if (r.scenario !== 'bulk' || !Array.isArray(r.data)) return [];
  const passes = r.data as { reader: string; perSecond: number }[];
  const of = (reader: string) => passes.filter((p) => p.reader === reader).map((p) => p.perSecond).sort((a, b) => a - b);
  const raw = of('raw');
  const core = of('fifo-core');
  if (!raw.length || !core.length) return [];
  const median = (xs: number[]) => (xs.length % 2 ? xs[(xs.length - 1) / 2]! : (xs[xs.length / 2 - 1]! + xs[xs.length / 2]!) / 2);
  const one = raw.length === 1 && core.length === 1;
  const a = median(raw);
  const b = median(core);
  return [
    `Raw ÷ fifo-core reader, messages/s: ${fmt(a)} ÷ ${fmt(b)} = ×${(a / b).toFixed(2)} (the fifo-core reader keeps ${Math.round((100 * b) / a)}% of the bare reader's rate). ` +
      (one
        ? 'One run of each reader, so no median or range: a single figure each, on a shared machine.'
        : `Medians of ${raw.length} (raw) and ${core.length} (fifo-core) runs.`),
  ];
}

function rerunPhrase(name: string, worker: ScenarioResult | undefined, runDate: string | undefined): string {
  if (!worker) return 'not rerun: no worker scenario result is saved';
  const reruns = (worker.data as { workers?: WorkerRerun[] } | undefined)?.workers;
  const at = worker.machine.date;
  // A file that says when it ran, later than the scenario finished: it was run on its own since.
  if (runDate?.includes('T') && Date.parse(runDate) > Date.parse(at)) return `run on its own after the worker scenario of ${at}`;
  const r = reruns?.find((x) => x.name === name);
  if (r?.status === 0) return `rerun by the worker scenario of ${at}`;
  if (r) return `the worker scenario of ${at} tried to rerun it and it exited ${r.status}, so these are its last saved figures`;
  if (!reruns) return `not rerun by the worker scenario's last run (${at}), which ran fifo-core's benchmarks only`;
  return `not rerun by the worker scenario of ${at} (\`BENCH_WORKER_RERUN=0\`)`;
}

/** The workers' own sections, as their files in docs/bench/ have them now. */
function workerBlock(figures: WorkerFigures[], worker: ScenarioResult | undefined): string {
  const parts = [
    "### The workers' own benchmarks: texts/s, pages/s, bans/s, deliveries/s",
    '',
    "These sections are included as written in each worker's own file in `docs/bench/`, read whenever this page is rendered (also by `npm run -w tools/bench docs`, which measures nothing). They are each worker's last saved run, not part of the runs of the scenarios above: other times, sizes and load, so compare them with the ratios inside each section, not with the figures above. `npm run bench -- worker` reruns them first (`npm run bench -w <worker>`) unless `BENCH_WORKER_RERUN=0`.",
    '',
    ...figures.map((f) => {
      const b = f.bench;
      const load = f.load ? `load average at the end ${f.load} (its file's header)` : 'load in its run line below';
      const missing = f.missing.length ? ` Not found in the file: ${f.missing.map((m) => `\`<!-- bench:${m} -->\``).join(', ')}.` : '';
      return `- **${b.name}** (${b.measures}): run ${f.runDate ?? 'of unknown date'}, ${rerunPhrase(b.name, worker, f.runDate)}; from [${b.doc.replace(/^docs\//, '')}](${b.doc.replace(/^docs\//, '')}) (\`npm run bench -w ${b.pkg}\`); measured ${b.where}; ${load}.${missing}`;
    }),
    '',
  ];
  for (const f of figures) {
    for (const s of f.sections) parts.push(demote(s.replace(/^## /, `## ${f.bench.name}: `), 2), '');
  }
  return parts.join('\n');
}

function scenarioSection(r: ScenarioResult, after?: string): string {
  const parts = [`## ${r.title}`, '', `Run \`npm run bench -- ${r.scenario}\` (or \`npm run -w tools/bench ${r.scenario}\`). Measured ${r.machine.date}.`, ''];
  parts.push(`Load average (1, 5, 15 min) when it finished: ${r.machine.load ?? 'not recorded'} on ${r.machine.cpus} CPUs.`, '');
  parts.push('**Sizes run:** ' + Object.entries(r.params).map(([k, v]) => `${k} = ${typeof v === 'number' ? v.toLocaleString('en-US') : v}`).join('; ') + '.', '');
  parts.push('**Method.**', '', ...r.method.map((m) => `- ${m}`), '');
  if (r.table) parts.push(mdTable(r.table), '');
  if (r.include) parts.push(r.include, '');
  for (const e of r.extra ?? []) parts.push(`**${e.title}**`, '', mdTable(e.table), '');
  if (after) parts.push(after);
  const notes = [...r.notes, ...derivedNotes(r)];
  if (notes.length) parts.push(...notes.map((n) => `- ${n}`), '');
  return parts.join('\n');
}

function workerFigures(): string {
  const dir = join(repoRoot, 'docs/bench');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.md')).sort() : [];
  if (!files.length) return 'No worker has published its own figures in `docs/bench/` yet.\n';
  return files
    .map((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      const heading = text.split('\n').find((l) => l.startsWith('#'))?.replace(/^#+\s*/, '') ?? f;
      return `- [${heading}](bench/${f})`;
    })
    .join('\n') + '\n';
}

export function renderDocs(order: readonly string[]): string[] {
  const results = loadResults(order);
  const workers = readAllWorkerFigures();
  const workerResult = results.find((r) => r.scenario === 'worker');
  const block = workerBlock(workers, workerResult);
  const machine = results[0]?.machine;
  const panels = results.filter((r) => r.chart).map((r) => ({ ...r.chart! }));
  const svgFile = join(repoRoot, 'docs/benchmarks.svg');
  writeFileSync(svgFile, renderSvg(panels, 'dbfifo benchmarks (docs/benchmarks.md has method and sizes)'));
  const md = [
    '# Benchmarks',
    '',
    '<!-- Generated by tools/bench (npm run bench); edit tools/bench/src/render-docs.ts, not this file. -->',
    '',
    'Every comparison below ran side by side on the same MariaDB in the same run, on one machine. Figures are medians and p99 with the ratio between alternatives; none of this is a pass/fail test.',
    '',
    '## Headline',
    '',
    ...headline(results, workers).map((l) => `- ${l}`),
    '',
    '## Reading the numbers',
    '',
    '- A trigger rings the pipe *before* its transaction commits, so dbfifo\'s doorbell usually reaches the worker before the inserting client has its commit acknowledgement (negative "handler entry" figures). A handler that must see the row re-reads it. fifo-core\'s `readCommitted` does that with a locking read (`… LOCK IN SHARE MODE`): when an `AFTER` trigger fires, the new row is already in the index under the writer\'s lock, so the read waits for the COMMIT and returns as soon as the writer releases it (or returns nothing at once after a ROLLBACK); no guessed delay. Before, `waitForRow` re-read after 5, 10, 20 … ms and that first 5 ms set the figure; the latency table keeps that line and the new 1 ms default, measured on the same doorbells at the same time.',
    '- Binlog CDC is sent when the transaction commits, so its handler needs no re-read. The headline gives dbfifo\'s figures with `readCommitted` as ratios of binlog CDC\'s, at the median and at p99: compare both, the tails of everything in these runs depend on how loaded the shared 2-core machine was (see the load average), and the three re-read variants add their queries to each doorbell. What dbfifo offers besides: no replication user, no ROW binlog or binlog client, a doorbell only for the tables and rows a trigger chooses, and the same SQL on MySQL. Polling is slower by about half its interval, and costs a query per interval whether anything changed or not.',
    '- In a trigger fired by single-row INSERTs every row is a statement of its own, so fifo.so keeps its settings per process and its directory and pipe descriptors per server thread: a trigger row makes one system call, the `write()`. What remains of fifo_write\'s cost is that write and waking the reader; the server\'s own cost of calling an empty UDF is small. (Before that cache, reading `DBFIFO_PIPE_DIR`, `realpath` and opening the directory and pipe per row cost about 60 µs/row more.)',
    '- fifo_write waits at most its bounded wait (10 ms by default) for room in a full pipe, once: from then on every writer of that pipe is answered \'false\' at once until the pipe is half empty (fail fast, native/README.md), so a consumer that stops reading costs a trigger row microseconds. fifo-core never stops reading because its handlers or Redis are slow: doorbells merge by key and run in batches, and when one may have been lost (the pipe was seen full, doorbells were dropped past the pending bound, Redis was away) the worker catches up from the rows at once. The bulk figures count the \'false\' answers; the consumer-faults scenario shows what the writers see while the consumer is stopped.',
    '',
    'The 2 cores are shared: the load average when each scenario finished is given beside it. Compare figures measured side by side in one run, as ratios; interleaved repetitions give medians with their range.',
    '',
    '![dbfifo benchmarks](benchmarks.svg)',
    '',
    '## Machine',
    '',
    machine
      ? `${machine.cpus} CPUs (\`nproc\`), ${machine.memory} RAM (\`free -h\`), kernel ${machine.kernel}, MariaDB ${machine.mariadb}, Node ${machine.node}. MariaDB runs with the stack's settings (\`tools/stack\`): ${machine.server}.`
      : 'No results yet.',
    '',
    '## How to rerun',
    '',
    '```sh',
    'npm run bench                          # every scenario, then this page and the chart',
    'npm run bench -- latency               # one scenario (latency | trigger-cost | bulk | consumer-faults | worker)',
    'BENCH_TRIGGER_ROWS=50000 npm run bench -- trigger-cost   # sizes are environment variables',
    'BENCH_WORKER_RERUN=0 npm run bench -- worker             # include fifo-core\'s and the workers\' last saved figures, rerun nothing',
    'npm run -w tools/bench docs            # re-render this page from tools/bench/results/*.json',
    '```',
    '',
    'The latency, trigger-cost, bulk and consumer-faults scenarios run on their own stack instance (`STACK_NAME=bench`, MariaDB on 3430, Redis on 6430; `BENCH_STACK`, `BENCH_MYSQL_PORT`, `BENCH_REDIS_PORT` change it), so they do not load the shared servers. The worker scenario runs fifo-core\'s own benchmarks, then each worker\'s, which do not use that instance: ingest uses no server (pipes in a temporary directory), relay uses the shared stack\'s Redis (`tools/stack`, started if it is not up); sms-worker and firewall-worker use the shared stack\'s MariaDB (firewall-worker\'s `ip netns` needs root), static-gen the `tools/stack` instance `STATIC_BENCH_STACK` names (`main` when unset). Their default sizes are long runs (static-gen rebuilds 100,000 articles, firewall-worker applies bursts of 10,000 bans); each reads its own size variables, prefixed with its name so they never clash with this suite\'s `BENCH_*` (`FIFO_CORE_BENCH_*`, `SMS_BENCH_*`, `STATIC_BENCH_*`, `FIREWALL_BENCH_*`, `NATIVE_BENCH_*`; see its file in `docs/bench/`). Raw figures of the last run are in `tools/bench/results/*.json`.',
    '',
    ...results.map((r) => scenarioSection(r, r === workerResult ? block : undefined)),
    ...(workerResult ? [] : ['## Worker side', '', block]),
    '## Each worker\'s own figures',
    '',
    workerFigures(),
  ].join('\n');
  const mdFile = join(repoRoot, 'docs/benchmarks.md');
  writeFileSync(mdFile, md);
  return [mdFile, svgFile];
}
