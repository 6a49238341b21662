// Benchmark: bans applied per second (a burst of doorbells, and one
// reconcile batch) for each backend, what the worker costs the writers (the
// same INSERTs with no worker attached), how long after the last INSERT every
// ban is in the kernel, and insert-to-kernel latency. Runs in a private
// network namespace against the local stack's MariaDB.
//   npm run bench -w packages/firewall-worker
//   FIREWALL_BENCH_SIZES=1000,10000 FIREWALL_BENCH_REPS=3 FIREWALL_BENCH_LATENCY_SAMPLES=200 FIREWALL_BENCH_MAX_SECONDS=120 FIREWALL_BENCH_BACKENDS=ipset,iptables,dry-run
// Results: docs/bench/firewall-worker.md (FIREWALL_BENCH_OUT to write elsewhere); the latency and
// bans-per-second sections sit between `<!-- bench:firewall-latency -->` and
// `<!-- bench:firewall-bans -->` markers, which tools/bench includes in docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RowDataPacket } from 'mysql2/promise';
import { createLogger, startWorker } from '@dbfifo/fifo-core';
import { benchChoices, benchInt, benchInts, benchString, connect, createPipe, createTestDatabase, ensureStack, median, removePipe, summarize, uniquePipePath } from '@dbfifo/test-utils';
import type { Connection } from 'mysql2/promise';
import { loadFirewallConfig } from '../src/config.ts';
import type { Changes } from '../src/kernel/backend.ts';
import { createFirewallWorker, FIREWALL_DEFAULTS } from '../src/worker.ts';
import { ringPipe } from '../tests/doorbells.ts';

// A bench script, not the worker: its knobs come from here.
const SIZES = benchInts('FIREWALL_BENCH_SIZES', [1000, 10_000]);
const SAMPLES = benchInt('FIREWALL_BENCH_LATENCY_SAMPLES', 200);
/** Interleaved repetitions of each burst size: no worker, then each backend, REPS times; medians are reported. */
const REPS = benchInt('FIREWALL_BENCH_REPS', 3);
const MAX_S = benchInt('FIREWALL_BENCH_MAX_SECONDS', 120);
const CONNS = benchInt('FIREWALL_BENCH_CONNECTIONS', 4);
// Unset: the worker's own default (FIREWALL_DEFAULTS, on its definition).
const CONCURRENCY = benchInt('FIREWALL_BENCH_CONCURRENCY', FIREWALL_DEFAULTS.concurrency);
/** Worker variables the run passes on from the environment (the rest of the worker's configuration is fixed here). */
const TUNING = ['FIREWALL_BURST_GAP_MS', 'FIREWALL_ROW_WAIT_MS', 'DBFIFO_BATCH_MAX', 'DBFIFO_BATCH_LINGER_MS'] as const;
const ALL_BACKENDS = ['ipset', 'iptables', 'dry-run'] as const;
const BACKENDS = benchChoices('FIREWALL_BENCH_BACKENDS', ALL_BACKENDS, ALL_BACKENDS);
const here = fileURLToPath(import.meta.url);
const schema = resolve(here, '../../../../sql/firewall/schema.sql');
const out = benchString('FIREWALL_BENCH_OUT', resolve(here, '../../../../docs/bench/firewall-worker.md'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row { backend: string; scenario: string; n: number; rep: number; seconds: number; perSecond: number; note: string }
const rows: Row[] = [];
const latency: { backend: string; p50: number; p99: number; max: number; samples: number }[] = [];
/** The INSERT phase per size and repetition with no worker attached (the doorbells find no reader), and per backend with one. */
const bare = new Map<string, number>();
const bareKey = (n: number, rep: number) => `${n}/${rep}`;
interface Writers { backend: string; n: number; rep: number; insertS: number; kernelLagS: number; missing: number }
const writers: Writers[] = [];

/** A throw-away database with the schema, its doorbells ringing `pipe`. */
async function database(tag: string, pipe: string) {
  const db = await createTestDatabase(`firewall_worker_bench_${tag}`, [schema]);
  const sql = await connect(db.url);
  await sql.query('UPDATE fw_settings SET hit_threshold = 5, ban_seconds = 3600');
  await ringPipe(sql, db.name, schema, basename(pipe));
  return { db, sql };
}

/** n single-row autocommit INSERTs into blacklist from CONNS connections at once, as web requests would write them; seconds. */
async function insertBurst(url: string, n: number): Promise<number> {
  const conns: Connection[] = await Promise.all(Array.from({ length: CONNS }, () => connect(url)));
  const t0 = performance.now();
  await Promise.all(conns.map(async (c, k) => {
    for (let i = k; i < n; i += CONNS) await c.query('INSERT INTO blacklist (address, reason) VALUES (?, ?)', [banAddress(i), 'bench']);
  }));
  const s = (performance.now() - t0) / 1000;
  await Promise.all(conns.map((c) => c.end()));
  return s;
}

const banAddress = (i: number) => `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`;

async function world(backend: string, tag: string) {
  const ns = `fw-bench-${process.pid.toString(36)}-${tag}`;
  if (backend !== 'dry-run') execFileSync('ip', ['netns', 'add', ns]);
  const pipe = uniquePipePath(`firewall-bench-${tag}`);
  const { db, sql } = await database(tag, pipe);
  const config = loadFirewallConfig({
    DATABASE_URL: db.url, DBFIFO_PIPE_DIR: ensureStack().pipeDir, DBFIFO_PIPE: pipe, DBFIFO_PIPE_MODE: '0666',
    DBFIFO_RECONCILE_INTERVAL_MS: '0', LOG_LEVEL: 'error', DBFIFO_CONCURRENCY: String(CONCURRENCY), FIREWALL_BACKEND: backend,
    FIREWALL_NETNS: backend === 'dry-run' ? '' : ns, FIREWALL_SET_MAXELEM: '65536',
    // The worker's own tuning, when set for this run (see its README).
    ...Object.fromEntries(TUNING.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : []))),
  });
  const worker = createFirewallWorker();
  const running = startWorker(worker, config, { logger: createLogger(worker.name, 'error') });
  await running.ready;
  await sleep(300); // the first reconcile
  const fw = worker.firewall!;
  // Time each ban leaves the backend (the kernel has it when the command exits).
  const bannedAt = new Map<string, number>();
  const orig = fw.backend.apply.bind(fw.backend);
  (fw.backend as { apply: (c: Changes) => Promise<void> }).apply = async (c) => {
    await orig(c);
    const t = performance.now();
    for (const b of c.ban) bannedAt.set(b.address.text, t);
  };
  const applied = async () => ((await sql.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM blacklist WHERE applied_at IS NOT NULL'))[0][0]?.n as number);
  return {
    sql, fw, running, bannedAt, applied, url: db.url, stats: worker.stats,
    async close() {
      await running.stop();
      await fw.backend.teardown().catch(() => undefined);
      await sql.end();
      await db.drop();
      await removePipe(pipe);
      await removePipe(`${pipe}.dead`);
      if (backend !== 'dry-run') execFileSync('ip', ['netns', 'del', ns]);
    },
  };
}

async function benchLatency(backend: string) {
  const w = await world(backend, `${backend}-lat`);
  try {
    const xs: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const a = `203.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;
      for (let k = 0; k < 4; k++) await w.sql.query('INSERT INTO access_log (address) VALUES (?)', [a]);
      const t0 = performance.now();
      await w.sql.query('INSERT INTO access_log (address) VALUES (?)', [a]); // the 5th hit: threshold
      const deadline = Date.now() + 10_000;
      while (!w.bannedAt.has(a) && Date.now() < deadline) await sleep(0.2);
      if (w.bannedAt.has(a)) xs.push(w.bannedAt.get(a)! - t0);
    }
    const { p50, p99, max } = summarize(xs);
    latency.push({ backend, p50, p99, max, samples: xs.length });
    console.log(backend, 'latency ms p50/p99', p50.toFixed(2), p99.toFixed(2), `(${xs.length}/${SAMPLES})`);
  } finally {
    await w.close();
  }
}

/** The INSERT phase with the doorbells ringing a pipe nobody reads: what the writers cost without any worker. */
async function benchNoWorker(n: number, rep: number) {
  const pipe = uniquePipePath(`firewall-bench-bare-${n}`);
  await createPipe(pipe); // there, but no reader: fifo_write answers 'false' at once
  const { db, sql } = await database(`bare_${n}`, pipe);
  try {
    const s = await insertBurst(db.url, n);
    bare.set(bareKey(n, rep), s);
    console.log('no worker', n, 'INSERT phase', s.toFixed(2), 's');
  } finally {
    await sql.end();
    await db.drop();
    await removePipe(pipe);
  }
}

async function benchBulk(backend: string, n: number, rep: number) {
  const w = await world(backend, `${backend}-${n}`);
  try {
    // 1. A burst: each row rings the pipe.
    const commands0 = w.stats.commands;
    const batches0 = w.running.metrics.batches;
    const t0 = performance.now();
    const insertS = await insertBurst(w.url, n);
    const inserted = t0 + insertS * 1000;
    let done = 0;
    while ((done = await w.applied()) < n && performance.now() - t0 < MAX_S * 1000) await sleep(50);
    const s = (performance.now() - t0) / 1000;
    const lost = n - done;
    // When the last of the n bans left the backend's command, after the last INSERT returned.
    let last = 0;
    let missing = 0;
    for (let i = 0; i < n; i++) {
      const at = w.bannedAt.get(banAddress(i));
      if (at === undefined) missing++;
      else last = Math.max(last, at);
    }
    writers.push({ backend, n, rep, insertS, kernelLagS: Math.max(0, last - inserted) / 1000, missing });
    const batches = w.running.metrics.batches - batches0;
    const commands = w.stats.commands - commands0;
    rows.push({
      backend, scenario: `doorbells (${CONNS} connections)`, n, rep, seconds: s, perSecond: done / s,
      note: `${lost > 0 ? `${lost} not applied within ${MAX_S} s; ` : ''}INSERT itself ${insertS.toFixed(2)} s; ${batches} batches, ${commands} firewall commands`,
    });
    console.log(backend, n, 'doorbells', (done / s).toFixed(0), '/s', `INSERT ${insertS.toFixed(2)} s`, `${batches} batches, ${commands} commands`, `all in the kernel ${(Math.max(0, last - inserted) / 1000).toFixed(2)} s after the last INSERT`, lost ? `(${lost} not applied)` : '');
    // 2. Empty the kernel behind the worker's back, then one reconcile.
    await w.fw.backend.replaceAll([]);
    const t1 = performance.now();
    const r = await w.fw.reconcile();
    const s2 = (performance.now() - t1) / 1000;
    const inKernel = (await w.fw.backend.list()).length;
    rows.push({ backend, scenario: 'reconcile (one batch)', n, rep, seconds: s2, perSecond: r.added / s2, note: `${inKernel} in the kernel afterwards` });
    console.log(backend, n, 'reconcile', (r.added / s2).toFixed(0), '/s', inKernel);
  } finally {
    await w.close();
  }
}

ensureStack();
for (const b of BACKENDS) await benchLatency(b);
// Side by side per size: the writers alone, then with each backend's worker, REPS times over.
const loadBefore = os.loadavg();
for (const n of SIZES) {
  for (let rep = 0; rep < REPS; rep++) {
    await benchNoWorker(n, rep);
    for (const b of BACKENDS) await benchBulk(b, n, rep);
  }
}

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
/** "median (min–max)" over the repetitions, or the one value. */
const spread = (xs: number[], d = 2) => (xs.length > 1 ? `${f(median(xs), d)} (${f(Math.min(...xs), d)}–${f(Math.max(...xs), d)})` : f(xs[0] ?? NaN, d));
/** The repetitions of one backend, scenario and size. */
const repsOf = (b: string, n: number, scenario: string) => rows.filter((r) => r.backend === b && r.n === n && r.scenario.startsWith(scenario));
const writersOf = (b: string, n: number) => writers.filter((x) => x.backend === b && x.n === n);
/** Per repetition, the INSERT phase over the no-worker phase run just before it. */
const writerRatios = (b: string, n: number) => writersOf(b, n).map((x) => x.insertS / (bare.get(bareKey(n, x.rep)) ?? NaN));
const md = `# firewall-worker benchmark

Generated by \`npm run bench -w packages/firewall-worker\` (bench/firewall.bench.ts) on ${new Date().toISOString().slice(0, 19)}Z.
Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Linux ${os.release()}, Node ${process.version}; load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (before the bursts ${loadBefore.map((l) => l.toFixed(1)).join(' / ')}; 1 / 5 / 15 min, the benchmark's own load included).
Every firewall command runs as \`nsenter --net=/run/netns/<ns> …\` in a private namespace (FIREWALL_NETNS: one more exec per command than on a host without it).
MariaDB is the local stack; the worker runs in direct mode, \`DBFIFO_CONCURRENCY=${CONCURRENCY}\`${TUNING.filter((k) => process.env[k]).map((k) => `, \`${k}=${process.env[k]}\``).join('')}.

<!-- bench:firewall-latency -->
## Insert-to-kernel latency (${SAMPLES} samples per backend)
From sending the access_log INSERT that reaches the threshold (5 hits) to the exit of the command that put the address in the kernel
(trigger → blacklist row → fifo_write → pipe → worker → row re-read → \`ipset\` / \`iptables\`).

| backend | p50 ms | p99 ms | max ms | samples |
| --- | ---: | ---: | ---: | ---: |
${latency.map((l) => `| ${l.backend} | ${f(l.p50)} | ${f(l.p99)} | ${f(l.max)} | ${l.samples} |`).join('\n')}
<!-- /bench:firewall-latency -->

<!-- bench:firewall-bans -->
## Bans applied per second
*doorbells*: n single-row autocommit \`INSERT\`s into blacklist from ${CONNS} connections at once (each row rings the pipe); time from the first INSERT until every row is marked applied.
*reconcile*: the kernel emptied behind the worker's back, then one \`reconcile()\` (\`ipset restore\` + \`swap\`, or \`iptables-restore --noflush\`).

Each size ran ${REPS} time(s), interleaved (no worker, then each backend, then again): medians, with the range in brackets; the note is the median repetition's.

| backend | scenario | n | seconds | bans/s | note |
| --- | --- | ---: | ---: | ---: | --- |
${SIZES.flatMap((n) => BACKENDS.flatMap((b) => ['doorbells', 'reconcile'].map((sc) => {
  const rs = repsOf(b, n, sc);
  const mid = [...rs].sort((x, y) => x.seconds - y.seconds)[Math.floor(rs.length / 2)];
  return mid ? `| ${b} | ${mid.scenario} | ${n} | ${spread(rs.map((r) => r.seconds))} | ${spread(rs.map((r) => r.perSecond), 0)} | ${mid.note} |` : '';
}))).filter(Boolean).join('\n')}

### What the worker costs the writers
The same n single-row INSERTs from ${CONNS} connections with no worker attached (the doorbells ring a pipe nobody reads: \`fifo_write\`
answers 'false' at once), then with each backend's worker; *last INSERT → all in the kernel*: from the moment the last INSERT
returned until the command that put the last of the n bans in the kernel exited.

The ratio is the median of each repetition's INSERT phase over the no-worker phase run just before it.

| backend | n | INSERT phase s | no worker s | ratio | last INSERT → all in the kernel s |
| --- | ---: | ---: | ---: | ---: | ---: |
${SIZES.flatMap((n) => BACKENDS.map((b) => {
  const xs = writersOf(b, n);
  const missing = xs.reduce((m, x) => m + x.missing, 0);
  const alone = [...bare].filter(([k]) => k.startsWith(`${n}/`)).map(([, v]) => v);
  return `| ${b} | ${n} | ${spread(xs.map((x) => x.insertS))} | ${spread(alone)} | ${spread(writerRatios(b, n))} | ${missing ? `${missing} missing` : spread(xs.map((x) => x.kernelLagS))} |`;
})).join('\n')}

${ratios()}

How to read the doorbell rows: the reader takes every line off the pipe at once; pending doorbells of one address merge, and
the worker handles what is pending in batches (\`DBFIFO_CONCURRENCY=${CONCURRENCY}\` at once, up to \`DBFIFO_BATCH_MAX\` each): one
locking read waits for the COMMIT of every row of the batch, then, one batch at a time, one read of their active bans, one
request to the long-lived \`ipset -exist -\` session (or one listing and one \`iptables-restore --noflush\` per family) and one \`UPDATE … applied_at\`; while one
batch changes the kernel the next one fills. "Not applied" counts rows still waiting at the cut-off (the periodic reconcile is
off in this benchmark; a doorbell lost on a full pipe is caught up by the runtime's catch-up).
<!-- /bench:firewall-bans -->
`;

function ratios(): string {
  const lines: string[] = [];
  for (const b of BACKENDS) {
    for (const n of SIZES) {
      const d = median(repsOf(b, n, 'doorbells').map((r) => r.perSecond));
      const r = median(repsOf(b, n, 'reconcile').map((x) => x.perSecond));
      if (d > 0 && r > 0) lines.push(`- ${b}, n = ${n}: one reconcile batch applies bans ${(r / d).toFixed(1)}× as fast as the doorbell burst (medians).`);
      const xs = writersOf(b, n);
      if (xs.length && xs.every((x) => !x.missing)) {
        lines.push(`- ${b}, n = ${n}: the INSERT phase takes ${spread(writerRatios(b, n))}× as long as with no worker attached; every ban is in the kernel ${f(Math.max(...xs.map((x) => x.kernelLagS)))} s after the last INSERT at the most.`);
      }
    }
  }
  const lat = (b: string) => latency.find((l) => l.backend === b);
  const ip = lat('ipset'), it = lat('iptables'), dr = lat('dry-run');
  if (ip && dr) lines.push(`- The kernel's share of the latency: ipset p50 ${f(ip.p50)} ms vs dry-run (same path, no command) ${f(dr.p50)} ms.`);
  if (ip && it) lines.push(`- iptables p50 / ipset p50 = ${(it.p50 / ip.p50).toFixed(1)} (a check and an add, two processes, versus one request to the long-lived ipset session).`);
  return lines.length ? `### Ratios\n${lines.join('\n')}` : '';
}
// Everything from "## History" on is written by hand (before/after comparisons): keep it.
const kept = existsSync(out) ? readFileSync(out, 'utf8').split(/^(?=## History)/m)[1] : undefined;
writeFileSync(out, kept ? `${md}\n${kept}` : md);
console.log(`wrote ${out}`);
process.exit(0);
