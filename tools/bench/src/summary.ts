// The few sentences at the top of docs/benchmarks.md (and the README's
// headline), computed from the saved results so they never drift from the tables.
import type { ScenarioResult } from './results.ts';
import { median } from '@dbfifo/test-utils';
import { fmt } from './results.ts';
import type { WorkerFigures } from './workers.ts';

interface LatencyRow { name: string; s: { p50: number; p99: number; max: number }; fromSent?: { p50: number; p99: number } }
interface TriggerFigure { variant: string; perRow: number }
interface BulkPass { reader: string; rep?: number; rows: number; ok: number; failed: number; received: number; missing: number; duplicates: number; perSecond: number }
interface FaultPhase { fault: string; rep: number; phase: 'baseline' | 'fault'; p99: number; max: number; caughtUpMs: number; lost: number; duplicated: number }

const span = (xs: number[], d = 0) => `${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)}`;

/** `workers`: each worker's own benchmark as read from docs/bench/*.md (one line each). */
export function headline(results: ScenarioResult[], workers: WorkerFigures[] = []): string[] {
  const by = (s: string) => results.find((r) => r.scenario === s);
  const out: string[] = [];
  const lat = by('latency')?.data as { consumers: LatencyRow[] } | undefined;
  if (lat?.consumers) {
    const get = (prefix: string) => lat.consumers.find((c) => c.name.startsWith(prefix));
    const direct = get('dbfifo direct, row re-read (readCommitted') ?? get('dbfifo direct, row');
    const before = get('dbfifo direct, row re-read (waitForRow, 5 ms');
    const wfr1 = get('dbfifo direct, row re-read (waitForRow, 1 ms');
    const queue = get('dbfifo queue');
    const p100 = get('polling every 100');
    const p1s = get('polling every 1 s');
    const bin = get('binlog');
    const t = (r: LatencyRow) => `${fmt(r.s.p50, 2)} / ${fmt(r.s.p99, 2)} / ${fmt(r.s.max, 2)} ms`;
    const x = (a: number, b: number) => `×${(a / b).toFixed(a / b < 10 ? 2 : 1)}`;
    if (direct && p100 && p1s) {
      out.push(
        `**Latency** (commit acknowledged → handler has the committed row, p50 / p99 / max): dbfifo direct ${t(direct)}` +
          (direct.name.includes('readCommitted') ? ' (re-read with `readCommitted`, a locking read that waits for the COMMIT)' : '') +
          (before ? `; with \`waitForRow\`'s polling re-read as before (5 ms first delay) ${t(before)}` : '') +
          (wfr1 ? `, with its new 1 ms first delay ${t(wfr1)}` : '') +
          (queue ? `; dbfifo queue ${t(queue)} (handler entry)` : '') +
          `; polling every 100 ms ${t(p100)}, every 1 s ${t(p1s)}` +
          (bin ? `; binlog CDC ${t(bin)} (handler entry; it needs a replication user, a ROW binlog and a client that speaks the replication protocol).` : '.'),
      );
      // Commit-based figures near zero make ratios meaningless; from INSERT sent every figure is positive.
      const fs = (r?: LatencyRow) => r?.fromSent;
      if (fs(direct) && fs(bin) && fs(p100) && fs(p1s)) {
        const d = fs(direct)!;
        out.push(
          `**From INSERT sent** (what the writer's user waits, commit included; p50 / p99): dbfifo direct ${fmt(d.p50, 2)} / ${fmt(d.p99, 2)} ms` +
            (fs(before) ? ` (before, with waitForRow: ${fmt(fs(before)!.p50, 2)} / ${fmt(fs(before)!.p99, 2)} ms)` : '') +
            `, binlog CDC ${fmt(fs(bin)!.p50, 2)} / ${fmt(fs(bin)!.p99, 2)} ms: dbfifo's p50 is ${x(d.p50, fs(bin)!.p50)} binlog CDC's, p99 ${x(d.p99, fs(bin)!.p99)}` +
            (fs(before) ? ` (before: ${x(fs(before)!.p50, fs(bin)!.p50)} and ${x(fs(before)!.p99, fs(bin)!.p99)})` : '') +
            `; polling every 100 ms takes ${x(fs(p100)!.p50, d.p50)} dbfifo's p50, every 1 s ${x(fs(p1s)!.p50, d.p50)}.`,
        );
      }
    }
  }
  const trig = by('trigger-cost')?.data as { figures: TriggerFigure[] } | undefined;
  if (trig?.figures) {
    const f = (v: string) => trig.figures.find((x) => x.variant === v)?.perRow;
    const plain = f('plain');
    const outbox = f('outbox');
    const udf = f('udf');
    const noop = f('noop');
    const fifo = f('fifo');
    const concat = f('concat');
    const generated = f('generated');
    if (plain !== undefined && outbox !== undefined && fifo !== undefined) {
      out.push(
        `**Per-row cost in a trigger** (µs added to a single-row INSERT, medians of interleaved runs): outbox row +${(outbox - plain).toFixed(1)}, fifo_write +${(fifo - plain).toFixed(1)} with a \`JSON_OBJECT\` doorbell` +
          (concat !== undefined ? `, +${(concat - plain).toFixed(1)} with the \`CONCAT\` doorbell the shipped triggers use` : '') +
          (generated !== undefined ? ` (the whole trigger \`dbfifo trigger add\` installs: +${(generated - plain).toFixed(1)})` : '') +
          (udf !== undefined && noop !== undefined
            ? `; of the fifo_write figure, the server's own cost of calling an empty UDF from a trigger is +${(noop - plain).toFixed(1)}, a fifo.so call without pipe I/O ${(udf - noop) >= 0 ? '+' : ''}${(udf - noop).toFixed(1)} and the pipe write +${(fifo - udf).toFixed(1)}.`
            : udf !== undefined
              ? `; of which fifo.so's setup without pipe I/O (fifo_info()) is +${(udf - plain).toFixed(1)} and the pipe open and write +${(fifo - udf).toFixed(1)}.`
              : '.'),
      );
    }
  }
  const bulk = by('bulk')?.data as BulkPass[] | undefined;
  if (bulk?.length) {
    const readers = [...new Set(bulk.map((p) => p.reader))];
    const rawOf = (p: BulkPass) => bulk.find((q) => q.reader === 'raw' && q.rep === p.rep)?.perSecond;
    const parts = readers.map((r) => {
      const ps = bulk.filter((p) => p.reader === r);
      const rates = ps.map((p) => p.perSecond);
      const ratios = ps.map((p) => p.perSecond / (rawOf(p) ?? Number.NaN)).filter(Number.isFinite);
      const sum = (k: 'missing' | 'duplicates' | 'failed') => fmt(ps.reduce((a, p) => a + p[k], 0));
      return `${r} reader ${fmt(median(rates))} messages/s (range ${span(rates)}${r !== 'raw' && ratios.length ? `; ×${median(ratios).toFixed(2)} the raw reader's rate` : ''}), ${sum('missing')} lost, ${sum('duplicates')} duplicated, ${sum('failed')} answered 'false'`;
    });
    out.push(`**Bulk signalling** (${fmt(bulk[0]!.rows)} rows per statement, ${Math.max(...bulk.map((p) => p.rep ?? 1))} interleaved repetitions; medians): ${parts.join('; ')}.`);
  }
  const faults = by('consumer-faults')?.data as FaultPhase[] | undefined;
  if (faults?.length) {
    const parts = [...new Set(faults.map((p) => p.fault))].map((fault) => {
      const of = (kind: 'baseline' | 'fault') => faults.filter((p) => p.fault === fault && p.phase === kind);
      const base = median(of('baseline').map((p) => p.p99));
      const hurt = median(of('fault').map((p) => p.p99));
      const slowest = Math.max(...of('fault').map((p) => p.max));
      const caught = of('fault').map((p) => p.caughtUpMs);
      const lost = of('fault').reduce((a, p) => a + p.lost, 0);
      const dup = of('fault').reduce((a, p) => a + p.duplicated, 0);
      return `${fault === 'stall' ? 'consumer SIGSTOPped' : 'Redis stopped (queue mode)'}: INSERT p99 ${fmt(hurt, 2)} ms against ${fmt(base, 2)} ms with the consumer healthy (${hurt - base >= 0 ? '+' : ''}${fmt(hurt - base, 2)} ms), slowest INSERT ${fmt(slowest, 1)} ms, every row handled ${fmt(median(caught))} ms after the fault ended (range ${span(caught)}), ${lost} lost, ${dup} duplicated`;
    });
    out.push(`**A stalled or starved consumer** (4 connections inserting single rows flat out; medians of interleaved repetitions): ${parts.join('; ')}.`);
  }
  if (by('worker')) out.push("**Worker side**: fifo-core's own ingest and relay benchmarks, and each worker's own figures, included below under \"Worker side\".");
  for (const w of workers) {
    const from = `its own benchmark, run ${w.runDate ?? 'of unknown date'}${w.load ? `, load average ${w.load} at its end` : ''}`;
    out.push(
      w.headline
        ? `**${w.bench.name}** (${from}): ${w.headline}`
        : `**${w.bench.name}**: its figures did not parse from [${w.bench.doc.replace(/^docs\//, '')}](${w.bench.doc.replace(/^docs\//, '')}) (markers \`<!-- bench:${w.bench.sections.join(' -->`, `<!-- bench:')} -->\`); see that file.`,
    );
  }
  return out;
}
