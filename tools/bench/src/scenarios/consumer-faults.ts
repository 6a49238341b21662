// A consumer that stops, starves or loses Redis must cost the database
// nothing. Four connections insert single rows as fast as the server answers,
// each in autocommit, into a table whose AFTER INSERT trigger rings the
// consumer's pipe (the generator's doorbell, `dbfifo trigger add`). Each
// repetition runs a baseline phase (the consumer healthy) and then the same
// load during a fault, interleaved, and times every INSERT:
//   stall: the consumer process is SIGSTOPped (a GC pause, a stuck command,
//          a full disk: a reader that holds its pipe open and reads nothing);
//   redis: queue mode, Redis stopped for the phase.
// After the fault ends it times how long until every row has its effect,
// with no periodic reconcile configured, and checks none had two.
import { spawn, type ChildProcess } from 'node:child_process';
import { basename, join } from 'node:path';
import mysql from 'mysql2/promise';
import { addTriggers, insertDoorbell } from '@dbfifo/fifo-core/trigger';
import { createPipe, freePort, insertFlat, median, PrivateRedis, removePipe, summarize, tempDir, waitFor, type StackEnv } from '@dbfifo/test-utils';
import type { BenchConfig } from '../config.ts';
import { FAULT_TABLES } from '../fault-worker/definition.ts';
import { fmt, repoRoot, type ScenarioResult } from '../results.ts';
import { createBenchDb, machineInfo, type BenchDb } from '../stack.ts';

type Fault = 'stall' | 'redis';

interface Phase {
  fault: Fault;
  rep: number;
  phase: 'baseline' | 'fault';
  rows: number;
  insertsPerSec: number;
  p50: number;
  p99: number;
  max: number;
  /** From the end of the fault (or of the load) until every row had its effect. */
  caughtUpMs: number;
  lost: number;
  duplicated: number;
}

function spawnWorker(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'tools/bench/src/fault-worker/main.ts')], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  await exited;
}

async function counts(conn: mysql.Connection): Promise<{ items: number; handled: number; orphans: number }> {
  const [[c]] = (await conn.query(
    'SELECT (SELECT COUNT(*) FROM items) AS items, (SELECT COUNT(*) FROM handled) AS handled, (SELECT COUNT(*) FROM handled h LEFT JOIN items i ON i.id = h.item_id WHERE i.id IS NULL) AS orphans',
  )) as unknown as [[{ items: number; handled: number; orphans: number }]];
  return { items: Number(c.items), handled: Number(c.handled), orphans: Number(c.orphans) };
}

async function phase(db: BenchDb, fault: Fault, rep: number, kind: 'baseline' | 'fault', seconds: number, during: { start(): Promise<void>; end(): Promise<void> }): Promise<Phase> {
  const conn = await db.connect();
  try {
    await during.start();
    const load = await insertFlat(() => db.connect(), { connections: 4, seconds, sql: 'INSERT INTO items (v) VALUES (?)' });
    await during.end();
    const t0 = Date.now();
    let c = await counts(conn);
    try {
      await waitFor(async () => (c = await counts(conn)).handled >= c.items, { timeoutMs: 120_000, intervalMs: 50, message: 'every row handled' });
    } catch {
      /* reported as lost */
    }
    const caughtUpMs = Date.now() - t0;
    const s = summarize(load.ms);
    await conn.query('DELETE FROM handled');
    await conn.query('DELETE FROM items');
    return { fault, rep, phase: kind, rows: load.rows, insertsPerSec: load.rows / seconds, p50: s.p50, p99: s.p99, max: s.max, caughtUpMs, lost: c.items - (c.handled - c.orphans), duplicated: c.orphans };
  } finally {
    await conn.end();
  }
}

export async function consumerFaults(stack: StackEnv, config: BenchConfig): Promise<ScenarioResult> {
  const { seconds, reps } = config.faults;
  const db = await createBenchDb(stack, 'faults');
  const admin = await mysql.createConnection({ uri: db.url });
  const phases: Phase[] = [];
  const pipe = join(stack.pipeDir, `bench-faults-${process.pid}`);
  const redis = new PrivateRedis(await freePort(), tempDir('bench-faults-redis-'));
  try {
    for (const sql of FAULT_TABLES) await admin.query(sql);
    await createPipe(pipe, 0o666);
    await addTriggers(admin, db.name, 'items', insertDoorbell(basename(pipe)));
    await redis.start();
    const base = { DATABASE_URL: db.url, DBFIFO_PIPE: pipe, DBFIFO_PIPE_DIR: stack.pipeDir, DBFIFO_PIPE_MODE: '0666', DBFIFO_RECONCILE_INTERVAL_MS: '0', REDIS_URL: redis.url, LOG_LEVEL: 'warn' };
    for (const fault of ['stall', 'redis'] as const) {
      const child = spawnWorker({ ...base, DBFIFO_MODE: fault === 'redis' ? 'queue' : 'direct', DBFIFO_QUEUE_NAME: `bench-faults-${process.pid}` });
      try {
        await waitFor(async () => {
          const [[r]] = (await admin.query('SELECT fifo_write(?, ?) AS ok', [pipe, ''])) as unknown as [[{ ok: Buffer | string }]];
          return String(r.ok) === 'true';
        }, { timeoutMs: 60_000, message: 'the consumer reading its pipe' });
        const none = { start: async () => {}, end: async () => {} };
        const hurt =
          fault === 'stall'
            ? { start: async () => void child.kill('SIGSTOP'), end: async () => void child.kill('SIGCONT') }
            : { start: () => redis.stop(), end: () => redis.start() };
        for (let rep = 1; rep <= reps; rep++) {
          for (const kind of ['baseline', 'fault'] as const) {
            process.stderr.write(`[bench] consumer-faults: ${fault} ${kind} ${rep}/${reps} (${seconds} s)\n`);
            phases.push(await phase(db, fault, rep, kind, seconds, kind === 'fault' ? hurt : none));
          }
        }
      } finally {
        await stopWorker(child);
      }
    }
  } finally {
    await redis.stop();
    await admin.end();
    await db.drop();
    await removePipe(pipe);
  }
  const range = (xs: number[]) => `${fmt(Math.min(...xs), 2)}–${fmt(Math.max(...xs), 2)}`;
  const rows = (['stall', 'redis'] as const).flatMap((fault) =>
    (['baseline', 'fault'] as const).map((kind) => {
      const ps = phases.filter((p) => p.fault === fault && p.phase === kind);
      return [
        fault === 'stall' ? 'consumer SIGSTOPped' : 'Redis stopped (queue mode)',
        kind === 'baseline' ? 'consumer healthy' : 'during the fault',
        fmt(median(ps.map((p) => p.insertsPerSec))),
        `${fmt(median(ps.map((p) => p.p50)), 2)} (${range(ps.map((p) => p.p50))})`,
        `${fmt(median(ps.map((p) => p.p99)), 2)} (${range(ps.map((p) => p.p99))})`,
        fmt(Math.max(...ps.map((p) => p.max)), 2),
        kind === 'fault' ? `${fmt(median(ps.map((p) => p.caughtUpMs)))} (${range(ps.map((p) => p.caughtUpMs))})` : '–',
        String(ps.reduce((a, p) => a + p.lost, 0)),
        String(ps.reduce((a, p) => a + p.duplicated, 0)),
      ];
    }),
  );
  const delta = (['stall', 'redis'] as const).map((fault) => {
    const p99 = (kind: 'baseline' | 'fault') => median(phases.filter((p) => p.fault === fault && p.phase === kind).map((p) => p.p99));
    return { fault, p99Delta: p99('fault') - p99('baseline') };
  });
  return {
    scenario: 'consumer-faults',
    title: 'A stalled or starved consumer costs the database nothing',
    machine: await machineInfo(stack),
    params: { 'seconds per phase (BENCH_FAULT_SECONDS)': seconds, 'repetitions, baseline and fault interleaved (BENCH_FAULT_REPS)': reps, connections: 4 },
    method: [
      'Four connections insert single rows (autocommit) as fast as the server answers into `items`, whose AFTER INSERT trigger (made by `dbfifo trigger add`) rings the consumer\'s pipe. The consumer is a fifo-core batch worker in its own process (`tools/bench/src/fault-worker`): one locking read per batch, its effect a row in `handled` (unique per item), reconcile gives every item without one its effect. No periodic reconcile (`DBFIFO_RECONCILE_INTERVAL_MS=0`): only the runtime\'s catch-up finds lost doorbells.',
      'Each repetition: a baseline phase with the consumer healthy, then the same load during the fault: the consumer SIGSTOPped (direct mode), or its Redis stopped (queue mode, relay and consumer in one process). Every INSERT is timed by the client.',
      '"Caught up" runs from the end of the fault (SIGCONT, Redis back) until every row has its effect; lost = rows without one after 120 s, duplicated = effects of rows that do not exist (the unique key makes a second effect of a row impossible).',
    ],
    table: { headers: ['fault', 'phase', 'INSERTs/s (median)', 'INSERT p50 ms (median, range)', 'INSERT p99 ms (median, range)', 'slowest INSERT ms', 'caught up after, ms (median, range)', 'lost', 'duplicated'], rows },
    notes: delta.map((d) => `${d.fault === 'stall' ? 'Consumer SIGSTOPped' : 'Redis stopped'}: INSERT p99 during the fault minus with the consumer healthy = ${fmt(d.p99Delta, 2)} ms (medians of the repetitions).`),
    data: phases,
  };
}
