// How long fifo_write takes to answer, through the real server:
//   - with no reader (must be 'false' at once),
//   - with a full pipe: the first call 'false' after the bounded wait
//     (DBFIFO_WRITE_TIMEOUT_MS), every further one 'false' at once (fail fast),
//   - with a reader: per call (one statement each) and per row inside one
//     statement (constant path: the pipe stays open; per-row path: opened
//     each row), each against a baseline doing the same without the UDF.
// Sizes: NATIVE_BENCH_CALLS (default 200) round trips per case,
// NATIVE_BENCH_FULL_CALLS (default 200), NATIVE_BENCH_ROWS (default 20000)
// rows per statement.
// Run: npm run bench -w native   (the stack must be up: tools/stack up)
import { benchInt, ensureStack } from '@dbfifo/test-utils';
import { LineCollector, PipeHolder, makePipe, scalar, sqlWorld } from '../tests/helpers.ts';

const CALLS = benchInt('NATIVE_BENCH_CALLS', 200);
const FULL_CALLS = benchInt('NATIVE_BENCH_FULL_CALLS', 200);
const ROWS = benchInt('NATIVE_BENCH_ROWS', 20_000);

function summary(samples: number[]): { median: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p99: at(0.99) };
}

async function time(run: () => Promise<unknown>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await run();
    out.push(performance.now() - t);
  }
  return out;
}

const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

async function main(): Promise<void> {
  ensureStack();
  const world = await sqlWorld('bench');
  const rows: string[] = [];
  const report = (name: string, samples: number[]) => {
    const { median, p99 } = summary(samples);
    rows.push(`| ${name} | ${samples.length} | ${fmt(median)} | ${fmt(p99)} |`);
  };
  try {
    report('baseline: select ? (round trip)', await time(() => scalar(world.sql, 'select ?', ['x']), CALLS));

    const lonely = await makePipe('bench-lonely');
    const noReader = await time(async () => {
      if ((await scalar(world.sql, 'select fifo_write(?, ?)', [lonely.name, 'x'])) !== 'false') throw new Error('expected false');
    }, CALLS);
    report("fifo_write, no reader → 'false'", noReader);
    // Inside the server, without the round trip: every row tries the open.
    const lonelyRows: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const refused = await scalar(world.sql, `select sum(fifo_write(?, 'x') = 'false') from seq_1_to_${ROWS}`, [lonely.name]);
      if (Number(refused) !== ROWS) throw new Error(`no reader: ${refused} of ${ROWS} refused`);
      lonelyRows.push(((performance.now() - t) * 1000) / ROWS);
    }
    await lonely.remove();

    const full = await makePipe('bench-full');
    const holder = new PipeHolder(full.path);
    // Opened (and grown to DBFIFO_PIPE_SIZE) by a first write, then filled:
    // the first timed call waits, the rest fail fast.
    await scalar(world.sql, 'select fifo_write(?, ?)', [full.name, 'x']);
    holder.fill();
    report("fifo_write, full pipe (one default wait, then failing fast) → 'false'", await time(() => scalar(world.sql, 'select fifo_write(?, ?)', [full.name, 'x']), FULL_CALLS));
    holder.close();
    await full.remove();

    const pipe = await makePipe('bench-reader');
    const reader = new LineCollector(pipe.path);
    report("fifo_write, reader attached → 'true' (round trip)", await time(() => scalar(world.sql, 'select fifo_write(?, ?)', [pipe.name, 'x']), CALLS));

    const perRow = async (expr: string): Promise<number> => {
      const t = performance.now();
      // sum(... = 'true'): COUNT(expr) of a never-NULL expr is optimised to
      // COUNT(*) and would not call the function at all.
      const sent = await scalar(world.sql, `select sum(${expr} = ${expr.startsWith('concat') ? "concat(?, 'x')" : "'true'"}) from seq_1_to_${ROWS}`, expr.startsWith('concat') ? [pipe.name, pipe.name] : [pipe.name]);
      if (Number(sent) !== ROWS) throw new Error(`${expr}: ${sent} of ${ROWS} rows`);
      return ((performance.now() - t) * 1000) / ROWS;
    };
    const runs = 5;
    const base: number[] = [];
    const constant: number[] = [];
    const varying: number[] = [];
    for (let i = 0; i < runs; i++) {
      base.push(await perRow("concat(?, 'x')"));
      constant.push(await perRow("fifo_write(?, 'x')"));
      varying.push(await perRow("fifo_write(if(seq > 0, ?, ''), 'x')"));
    }
    await reader.waitForLines(CALLS + 2 * runs * ROWS, 60_000);
    reader.close();
    await pipe.remove();
    const m = (xs: number[]) => summary(xs).median;
    console.log(`fifo_write latency through mysql2 (127.0.0.1), ${new Date().toISOString()}\n`);
    console.log('| case | calls | median | p99 |\n| --- | --- | --- | --- |');
    console.log(rows.join('\n'));
    console.log(`\nper row inside one statement of ${ROWS} rows (median of ${runs} statements), reader attached:\n`);
    console.log('| expression | µs per row |\n| --- | --- |');
    console.log(`| baseline concat(?, 'x') | ${m(base).toFixed(2)} |`);
    console.log(`| fifo_write(?, 'x'), constant path (pipe kept open) | ${m(constant).toFixed(2)} |`);
    console.log(`| fifo_write(if(seq > 0, ?, ''), 'x'), path per row (open + close each row) | ${m(varying).toFixed(2)} |`);
    console.log(`| fifo_write(?, 'x'), no reader: 'false' per row (open fails with ENXIO) | ${m(lonelyRows).toFixed(2)} |`);
  } finally {
    await world.close();
  }
}

await main();
