// Bulk signalling: one statement rings the pipe once per row of MariaDB's
// sequence engine, `SELECT fifo_write(pipe, seq) FROM seq_1_to_N`. Counts what
// the server reported ('true'/'false') against what the reader received, and
// checks every number arrived exactly once.
import { join } from 'node:path';
import type { StackEnv } from '@dbfifo/test-utils';
import { median } from '@dbfifo/test-utils';
import { fmt, type ScenarioResult } from '../results.ts';
import { createBenchDb, machineInfo } from '../stack.ts';
import { openDrain } from '../pipe-drain.ts';
import { startCoreWorker } from '../fifo-core.ts';
import { createPipe, removePipe } from '@dbfifo/test-utils';
import type { BenchConfig } from '../config.ts';

interface Pass {
  reader: string;
  rows: number;
  ok: number;
  failed: number;
  received: number;
  duplicates: number;
  missing: number;
  seconds: number;
  perSecond: number;
}

/** Tracks which sequence numbers arrived, and how many arrived twice. */
class Seen {
  private bits: Uint8Array;
  count = 0;
  duplicates = 0;
  constructor(readonly n: number) {
    this.bits = new Uint8Array(n + 1);
  }
  add(line: string): void {
    const k = Number(line);
    if (!Number.isInteger(k) || k < 1 || k > this.n) return;
    if (this.bits[k]) this.duplicates++;
    else this.count++;
    this.bits[k] = 1;
  }
}

type Reader = 'raw' | 'fifo-core' | 'fifo-core, batches';

async function pass(stack: StackEnv, dbUrl: string, rows: number, reader: Reader): Promise<Pass> {
  const pipe = join(stack.pipeDir, `bench-bulk-${reader.replace(/\W+/g, '-')}-${process.pid}`);
  const seen = new Seen(rows);
  let stop: () => Promise<void> | void;
  if (reader === 'raw') {
    const drain = await openDrain(pipe, (line) => seen.add(line));
    stop = () => drain.close();
  } else {
    await createPipe(pipe, 0o666);
    const batches = reader === 'fifo-core, batches';
    const worker = startCoreWorker({
      name: 'bench-bulk', pipe, pipeDir: stack.pipeDir, mode: 'direct', redisUrl: stack.redisUrl, databaseUrl: dbUrl,
      concurrency: batches ? 1 : 64,
      handle: batches
        ? { batch: async (ms) => { for (const m of ms) seen.add(m.raw); } }
        : async (m) => seen.add(m.raw),
    });
    await worker.ready;
    stop = () => worker.stop();
  }
  const db = await createBenchDb(stack, 'bulk');
  const conn = await db.connect();
  try {
    const t0 = process.hrtime.bigint();
    // fifo_write must run exactly once per row: with the derived table merged into the
    // outer query the optimizer evaluates it once per *reference* (found the hard way:
    // SUM(w='true') + SUM(w='false') rang every row twice). Materialize it, group on the one column.
    await conn.query("SET SESSION optimizer_switch = 'derived_merge=off'");
    const [groups] = (await conn.query(
      `SELECT w, COUNT(*) AS n FROM (SELECT fifo_write(?, seq) AS w FROM seq_1_to_${rows}) AS s GROUP BY w`,
      [pipe],
    )) as unknown as [{ w: Buffer | string | null; n: number }[]];
    const count = (v: string) => Number(groups.find((g) => g.w !== null && String(g.w) === v)?.n ?? 0);
    const r = { ok: count('true'), failed: count('false'), total: groups.reduce((a, g) => a + Number(g.n), 0) };
    const ok = Number(r.ok);
    // The statement is done; wait until the reader has everything it was sent (or stalls for 5 s).
    let last = -1;
    let stalled = Date.now();
    while (seen.count < ok && Date.now() - stalled < 5000) {
      if (seen.count !== last) {
        last = seen.count;
        stalled = Date.now();
      }
      await new Promise((res) => setTimeout(res, 5));
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return {
      reader,
      rows: Number(r.total),
      ok,
      failed: Number(r.failed),
      received: seen.count,
      duplicates: seen.duplicates,
      missing: ok - seen.count,
      seconds,
      perSecond: seen.count / seconds,
    };
  } finally {
    await conn.end();
    await db.drop();
    await stop();
    await removePipe(pipe);
  }
}

export async function bulk(stack: StackEnv, config: BenchConfig): Promise<ScenarioResult> {
  const { rows, reps } = config.bulk;
  const readers = ['raw', 'fifo-core', 'fifo-core, batches'] as const;
  const passes: (Pass & { rep: number })[] = [];
  // Interleaved: every reader once per repetition, so a change in the machine's load hits all of them alike.
  for (let rep = 1; rep <= reps; rep++) {
    for (const reader of readers) {
      const p = await pass(stack, stack.databaseUrl, rows, reader);
      passes.push({ ...p, rep });
      process.stderr.write(`[bench] bulk ${rep}/${reps} ${reader}: ${fmt(p.perSecond)} msg/s, ${p.failed} false, ${p.missing} missing\n`);
    }
  }
  const of = (reader: string) => passes.filter((p) => p.reader === reader);
  const rawOf = (rep: number) => passes.find((p) => p.rep === rep && p.reader === 'raw')!.perSecond;
  const sum = (ps: Pass[], k: 'failed' | 'missing' | 'duplicates' | 'ok') => fmt(ps.reduce((a, p) => a + p[k], 0));
  return {
    scenario: 'bulk',
    title: 'Bulk signalling',
    machine: await machineInfo(stack),
    params: { 'rows (BENCH_BULK_ROWS)': rows, 'repetitions, readers interleaved (BENCH_BULK_REPS)': reps },
    method: [
      `One statement: \`SELECT w, COUNT(*) FROM (SELECT fifo_write(pipe, seq) AS w FROM seq_1_to_${rows}) s GROUP BY w\` (sequence engine) with \`derived_merge=off\`, so the server counts its 'true' and 'false' results and every row rings exactly once (merged into the outer query, the optimizer evaluates the UDF once per reference to \`w\`).`,
      "Readers: *raw* is a bare O_RDWR|O_NONBLOCK socket that splits lines (the floor); *fifo-core* is `startWorker` in direct mode with a no-op handler, one message per call (concurrency 64); *fifo-core, batches* the same with a no-op batch handler (`handleBatch`, DBFIFO_BATCH_MAX 1000, one call at a time). Each line's number is checked off in a bitmap: missing = 'true' results not received, duplicates = numbers received twice.",
      "Time runs from sending the statement to the last line received. A 'false' means the pipe stayed full longer than fifo_write's bounded wait: the server was not held, the message was refused (a writer that must not lose it re-rings later; workers reconcile from the rows).",
      `Each repetition runs every reader once, in turn; the table gives the median rate of the ${reps} repetitions with its range, and the median of the per-repetition ratios to the raw reader.`,
    ],
    table: {
      headers: ['reader', 'rows × repetitions', "'true'", "'false'", 'missing', 'duplicates', 'messages/s (median)', 'range', '÷ raw (median)'],
      rows: readers.map((r) => {
        const ps = of(r);
        const rates = ps.map((p) => p.perSecond);
        return [r, `${fmt(rows)} × ${reps}`, sum(ps, 'ok'), sum(ps, 'failed'), sum(ps, 'missing'), sum(ps, 'duplicates'), fmt(median(rates)), `${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))}`, r === 'raw' ? '–' : `×${median(ps.map((p) => p.perSecond / rawOf(p.rep))).toFixed(2)}`];
      }),
    },
    chart: { title: 'messages per second received (median)', unit: 'msg/s', bars: readers.map((r) => ({ label: `bulk, ${r} reader`, value: median(of(r).map((p) => p.perSecond)) })) },
    notes: [],
    data: passes,
  };
}
