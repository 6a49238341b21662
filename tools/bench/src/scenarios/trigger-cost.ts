// Per-row cost inside a trigger: the same single-row INSERTs into identical
// tables — no trigger; a trigger inserting an outbox row; a trigger calling
// fifo_write (a reader drains the pipe) with the doorbell built by JSON_OBJECT or
// by CONCAT (the form `dbfifo trigger` generates), and the very trigger `dbfifo
// trigger add` installs. The insert loop runs inside a stored procedure so client
// round trips (equal for all) do not drown the difference; rows are committed in
// transactions of `batch`.
import { basename, join } from 'node:path';
import type { Connection } from 'mysql2/promise';
import { doorbellParts, doorbellSql, insertDoorbell, planTriggers, readTable } from '@dbfifo/fifo-core/trigger';
import { summarize, median } from '@dbfifo/test-utils';
import { fmt, type ScenarioResult } from '../results.ts';
import { createBenchDb, machineInfo } from '../stack.ts';
import { openDrain } from '../pipe-drain.ts';
import type { BenchConfig } from '../config.ts';
import { removePipe, type StackEnv } from '@dbfifo/test-utils';
import { sqlString } from '../sql.ts';
import { ensureNoopUdf } from '../noop-udf.ts';

const VARIANTS = ['plain', 'outbox', 'noop', 'udf', 'fifo', 'concat', 'generated'] as const;
type Variant = (typeof VARIANTS)[number];
const LABEL: Record<Variant, string> = {
  plain: 'no trigger',
  outbox: 'trigger inserts an outbox row',
  noop: 'trigger calls bench_noop() (an empty UDF)',
  udf: "trigger calls fifo_info() (a fifo.so call, no pipe)",
  fifo: 'trigger calls fifo_write, doorbell by JSON_OBJECT',
  concat: 'trigger calls fifo_write, doorbell by CONCAT',
  generated: 'the trigger `dbfifo trigger add` installs (CONCAT)',
};
/** The table each variant inserts into. */
const TABLE: Record<Variant, string> = {
  plain: 't_plain', outbox: 't_outbox', noop: 't_noop', udf: 't_udf', fifo: 't_fifo', concat: 't_concat', generated: 't_gen',
};
/** Variants whose trigger counts fifo_write's 'false' in @fifo_false (the generated one ignores it, as shipped). */
const COUNTS_FALSE: Variant[] = ['fifo', 'concat'];

const createTable = (t: string) => `CREATE TABLE ${t} (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL, note VARCHAR(32) NOT NULL) ENGINE=InnoDB`;

/**
 * The two triggers built by fifo-core's generator, from the tables as the server
 * describes them: the CONCAT doorbell in the same wrapper as the JSON_OBJECT
 * variant (only the doorbell differs), and the whole generated trigger.
 */
async function generatedTriggers(conn: Connection, db: string, pipe: string): Promise<string[]> {
  const options = insertDoorbell(basename(pipe));
  const concat = doorbellSql(doorbellParts(await readTable(conn, db, 't_concat'), options, 'insert'));
  const [generated] = planTriggers(await readTable(conn, db, 't_gen'), options, []);
  return [
    `CREATE TRIGGER t_concat_ai AFTER INSERT ON t_concat FOR EACH ROW
     BEGIN
       IF fifo_write(${sqlString(pipe)}, ${concat}) <> 'true' THEN
         SET @fifo_false = @fifo_false + 1;
       END IF;
     END`,
    generated!.createSql,
  ];
}

function schema(pipe: string, withNoop: boolean): string[] {
  return [
    ...Object.values(TABLE).map(createTable),
    `CREATE TABLE outbox (id BIGINT AUTO_INCREMENT PRIMARY KEY, tbl VARCHAR(16) NOT NULL, row_id INT NOT NULL,
       created TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB`,
    `CREATE TRIGGER t_outbox_ai AFTER INSERT ON t_outbox FOR EACH ROW
       INSERT INTO outbox (tbl, row_id) VALUES ('t_outbox', NEW.id)`,
    ...(withNoop
      ? [`CREATE TRIGGER t_noop_ai AFTER INSERT ON t_noop FOR EACH ROW
     BEGIN
       IF bench_noop() IS NULL THEN
         SET @fifo_false = @fifo_false + 1;
       END IF;
     END`]
      : []),
    // Isolates what any UDF call costs in a trigger from what writing the pipe costs.
    `CREATE TRIGGER t_udf_ai AFTER INSERT ON t_udf FOR EACH ROW
     BEGIN
       IF fifo_info() IS NULL THEN
         SET @fifo_false = @fifo_false + 1;
       END IF;
     END`,
    // The message is the recommended envelope; a 'false' is counted, not ignored.
    // (JSON_OBJECT writes it with spaces: {"table": "t_fifo", "op": "insert", "id": 1}.)
    `CREATE TRIGGER t_fifo_ai AFTER INSERT ON t_fifo FOR EACH ROW
     BEGIN
       IF fifo_write(${sqlString(pipe)}, JSON_OBJECT('table', 't_fifo', 'op', 'insert', 'id', NEW.id)) <> 'true' THEN
         SET @fifo_false = @fifo_false + 1;
       END IF;
     END`,
    `CREATE TABLE batches (variant VARCHAR(16) NOT NULL, rep INT NOT NULL, batch INT NOT NULL, us BIGINT NOT NULL) ENGINE=InnoDB`,
    // One branch per table: a PREPAREd dynamic INSERT would add its own cost to every row.
    `CREATE PROCEDURE run_inserts(IN variant VARCHAR(16), IN rep INT, IN n INT, IN bsz INT)
     BEGIN
       DECLARE i INT DEFAULT 0;
       DECLARE b INT DEFAULT 0;
       DECLARE batch_no INT DEFAULT 0;
       DECLARE t0 DATETIME(6);
       WHILE i < n DO
         SET t0 = SYSDATE(6);
         START TRANSACTION;
         SET b = 0;
         WHILE b < bsz AND i < n DO
           IF variant = 'plain' THEN INSERT INTO t_plain (v, note) VALUES (i, 'row');
           ELSEIF variant = 'outbox' THEN INSERT INTO t_outbox (v, note) VALUES (i, 'row');
           ELSEIF variant = 'udf' THEN INSERT INTO t_udf (v, note) VALUES (i, 'row');
           ELSEIF variant = 'noop' THEN INSERT INTO t_noop (v, note) VALUES (i, 'row');
           ELSEIF variant = 'concat' THEN INSERT INTO t_concat (v, note) VALUES (i, 'row');
           ELSEIF variant = 'generated' THEN INSERT INTO t_gen (v, note) VALUES (i, 'row');
           ELSE INSERT INTO t_fifo (v, note) VALUES (i, 'row');
           END IF;
           SET b = b + 1;
           SET i = i + 1;
         END WHILE;
         COMMIT;
         INSERT INTO batches VALUES (variant, rep, batch_no, TIMESTAMPDIFF(MICROSECOND, t0, SYSDATE(6)));
         SET batch_no = batch_no + 1;
       END WHILE;
     END`,
  ];
}

export async function triggerCost(stack: StackEnv, config: BenchConfig): Promise<ScenarioResult> {
  const { rows, batch, reps } = config.triggerCost;
  const db = await createBenchDb(stack, 'trigger');
  const pipe = join(stack.pipeDir, `bench-trigger-${process.pid}`);
  // Lines counted per table: JSON_OBJECT's {"table": "t_fifo", …} and CONCAT's {"table":"t_concat",…}.
  const received: Record<string, number> = {};
  const drain = await openDrain(pipe, (line) => {
    const table = /^\{"table": ?"(\w+)"/.exec(line)?.[1] ?? '?';
    received[table] = (received[table] ?? 0) + 1;
  });
  const conn = await db.connect({ multipleStatements: false });
  try {
    const noopMissing = await ensureNoopUdf(stack);
    for (const sql of schema(pipe, !noopMissing)) await conn.query(sql);
    for (const sql of await generatedTriggers(conn, db.name, pipe)) await conn.query(sql);
    const totals = Object.fromEntries(VARIANTS.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
    const falses = Object.fromEntries(VARIANTS.map((v) => [v, 0])) as Record<Variant, number>;
    const variants = VARIANTS.filter((v) => v !== 'noop' || !noopMissing);
    for (let rep = 0; rep < reps; rep++) {
      // Rotate the order so no variant always runs first (cold cache) or last.
      const order = variants.map((_, k) => variants[(k + rep) % variants.length]!);
      for (const variant of order) {
        for (const t of [...Object.values(TABLE), 'outbox']) await conn.query(`TRUNCATE TABLE ${t}`);
        await conn.query('SET @fifo_false = 0');
        const t0 = process.hrtime.bigint();
        await conn.query('CALL run_inserts(?, ?, ?, ?)', [variant, rep, rows, batch]);
        const us = Number(process.hrtime.bigint() - t0) / 1000;
        totals[variant].push(us / rows);
        const [[f]] = (await conn.query('SELECT @fifo_false AS f')) as unknown as [[{ f: number }]];
        if (COUNTS_FALSE.includes(variant)) falses[variant] += Number(f.f);
        process.stderr.write(`[bench] trigger-cost rep ${rep + 1}/${reps} ${variant}: ${(us / rows).toFixed(2)} µs/row\n`);
      }
    }
    // Give the reader a moment to take the last lines off the pipe.
    const writing = variants.filter((v) => ['fifo', 'concat', 'generated'].includes(v));
    const expected = rows * reps * writing.length - falses.fifo - falses.concat;
    for (let i = 0; i < 100 && drain.lines < expected; i++) await new Promise((r) => setTimeout(r, 50));
    const [batchRows] = (await conn.query('SELECT variant, us FROM batches')) as unknown as [{ variant: Variant; us: number }[]];
    const perBatch = (v: Variant) => summarize(batchRows.filter((r) => r.variant === v).map((r) => Number(r.us) / batch));
    const base = median(totals.plain);
    const figures = variants.map((v) => ({ variant: v, label: LABEL[v], perRow: median(totals[v]), runs: totals[v], batch: perBatch(v) }));
    return {
      scenario: 'trigger-cost',
      title: 'Per-row cost inside a trigger',
      machine: await machineInfo(stack),
      params: { 'rows per variant and repetition (BENCH_TRIGGER_ROWS)': rows, 'rows per transaction (BENCH_TRIGGER_BATCH)': batch, 'repetitions (BENCH_TRIGGER_REPS)': reps },
      method: [
        `${fmt(rows)} single-row \`INSERT\`s per variant and repetition, issued by a stored procedure (no client round trip per row), committed in transactions of ${batch}; the variants are interleaved ${reps} times in rotating order, tables truncated before each run.`,
        'Per-row time = wall time of the `CALL` / rows. Batch p50/p99 come from the time of each transaction, measured inside the procedure with `SYSDATE(6)`, divided by its rows.',
        "Two more variants split the fifo_write cost: `bench_noop()` is an empty UDF built from tools/bench/native/noop_udf.c and loaded only into the benchmark's own stack (what the server charges for calling any UDF from a trigger: its init/deinit run for every row); `fifo_info()` is a fifo.so call without any pipe I/O (since fifo.so keeps its settings per process and its directory and pipe descriptors per server thread, a trigger row no longer pays for reading DBFIFO_PIPE_DIR, realpath or opening anything; before that change this variant cost about 60 µs/row); fifo_write adds the write to the pipe (the descriptor is cached per thread and re-checked every 100 ms).",
        'The fifo_write triggers write the recommended envelope to a pipe drained by a reader in the benchmark process; a `\'false\'` result is counted. The JSON_OBJECT one writes `{"table": "t_fifo", "op": "insert", "id": N}` (MariaDB puts spaces in), the CONCAT one `{"table":"t_concat","op":"insert","id":N}`, built by fifo-core\'s trigger generator from the table (`CONCAT(\'{"table":"t_concat","op":"insert","id":\', NEW.`id`, \'}\')`) inside the same `IF fifo_write(…) <> \'true\'` wrapper.',
        'The last variant is the trigger `dbfifo trigger add <db>.t_gen --pipe <name> --on insert` installs, as generated: the CONCAT doorbell, a `CONTINUE HANDLER` so it never fails the INSERT, its never-run marker statement, and `fifo_write`\'s answer ignored (so its \'false\' results are not counted).',
      ],
      table: {
        headers: ['variant', 'µs/row (median of runs)', 'added µs/row vs no trigger', 'batch p50 µs/row', 'batch p99 µs/row', 'runs (µs/row)'],
        rows: figures.map((f) => [
          f.label,
          fmt(f.perRow, 2),
          f.variant === 'plain' ? '–' : `${(f.perRow - base).toFixed(2)} (×${(f.perRow / base).toFixed(2)})`,
          fmt(f.batch.p50, 2),
          fmt(f.batch.p99, 2),
          f.runs.map((r) => r.toFixed(2)).join(', '),
        ]),
      },
      chart: { title: 'µs per inserted row (median)', unit: 'µs', bars: figures.map((f) => ({ label: f.label, value: f.perRow, marker: f.batch.p99 })) },
      notes: [
        ...(noopMissing ? [`bench_noop variant skipped: ${noopMissing}.`] : []),
        `fifo_write returned 'false' ${falses.fifo} times with JSON_OBJECT, ${falses.concat} with CONCAT; the reader received ${writing.map((v) => `${fmt(received[TABLE[v]] ?? 0)} of ${fmt(rows * reps)} lines of the ${v} variant`).join(', ')}.`,
      ],
      data: { figures, fifoFalse: falses.fifo, falses, received: drain.lines, receivedByTable: received },
    };
  } finally {
    await conn.end();
    drain.close();
    await db.drop();
    await removePipe(pipe);
  }
}
