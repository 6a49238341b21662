// The few sentences at the top of docs/benchmarks.md (and the README's
// headline), computed from the saved results so they never drift from the tables.
import type { ScenarioResult } from './results.ts';
import { fmt } from './results.ts';

interface LatencyRow { name: string; s: { p50: number; p99: number } }
interface TriggerFigure { variant: string; perRow: number }
interface BulkPass { reader: string; rows: number; ok: number; failed: number; received: number; missing: number; duplicates: number; perSecond: number }

export function headline(results: ScenarioResult[]): string[] {
  const by = (s: string) => results.find((r) => r.scenario === s);
  const out: string[] = [];
  const lat = by('latency')?.data as { consumers: LatencyRow[] } | undefined;
  if (lat?.consumers) {
    const get = (prefix: string) => lat.consumers.find((c) => c.name.startsWith(prefix));
    const direct = get('dbfifo direct, row');
    const queue = get('dbfifo queue');
    const p100 = get('polling every 100');
    const p1s = get('polling every 1 s');
    const bin = get('binlog');
    if (direct && p100 && p1s) {
      out.push(
        `**Latency** (commit acknowledged → handler has the row, p50 / p99): dbfifo direct ${fmt(direct.s.p50, 2)} / ${fmt(direct.s.p99, 2)} ms` +
          (queue ? `, dbfifo queue ${fmt(queue.s.p50, 2)} / ${fmt(queue.s.p99, 2)} ms (handler entry)` : '') +
          `; polling every 100 ms ${fmt(p100.s.p50, 2)} / ${fmt(p100.s.p99, 2)} ms (×${(p100.s.p50 / direct.s.p50).toFixed(1)} the dbfifo p50), every 1 s ${fmt(p1s.s.p50, 2)} / ${fmt(p1s.s.p99, 2)} ms (×${(p1s.s.p50 / direct.s.p50).toFixed(1)})` +
          (bin ? `; binlog CDC ${fmt(bin.s.p50, 2)} / ${fmt(bin.s.p99, 2)} ms (handler entry; it needs a replication user, a ROW binlog and a client that speaks the replication protocol).` : '.'),
      );
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
    if (plain !== undefined && outbox !== undefined && fifo !== undefined) {
      out.push(
        `**Per-row cost in a trigger** (µs added to a single-row INSERT): outbox row +${(outbox - plain).toFixed(1)}, fifo_write +${(fifo - plain).toFixed(1)}` +
          (udf !== undefined && noop !== undefined
            ? `; of the fifo_write figure, the server's own cost of calling an empty UDF from a trigger is +${(noop - plain).toFixed(1)}, fifo.so's per-statement setup +${(udf - noop).toFixed(1)} and the pipe open and write +${(fifo - udf).toFixed(1)}.`
            : udf !== undefined
              ? `; of which fifo.so's setup without pipe I/O (fifo_info()) is +${(udf - plain).toFixed(1)} and the pipe open and write +${(fifo - udf).toFixed(1)}.`
              : '.'),
      );
    }
  }
  const bulk = by('bulk')?.data as BulkPass[] | undefined;
  if (bulk?.length) {
    out.push(
      `**Bulk signalling**: ${bulk
        .map((p) => `${fmt(p.rows)} rows, ${p.reader} reader: ${fmt(p.perSecond)} messages/s, ${fmt(p.missing)} lost, ${fmt(p.duplicates)} duplicated, ${fmt(p.failed)} refused with 'false' (pipe full past the bounded wait)`)
        .join('; ')}.`,
    );
  }
  if (by('worker')) out.push("**Worker side**: fifo-core's own ingest and relay benchmarks, included below under \"Worker side\".");
  return out;
}
