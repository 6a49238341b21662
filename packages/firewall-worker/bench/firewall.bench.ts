// Benchmark: bans applied per second (a burst of doorbells, and one
// reconcile batch) for each backend, and insert-to-kernel latency. Runs in a
// private network namespace against the local stack's MariaDB.
//   npm run bench -w packages/firewall-worker
//   FIREWALL_BENCH_SIZES=1000,10000 FIREWALL_BENCH_LATENCY_SAMPLES=200 FIREWALL_BENCH_MAX_SECONDS=120 FIREWALL_BENCH_BACKENDS=ipset,iptables,dry-run
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
import { benchChoices, benchInt, benchInts, benchString, connect, createTestDatabase, ensureStack, removePipe, uniquePipePath } from '@dbfifo/test-utils';
import { DEFAULT_CONCURRENCY, loadFirewallConfig } from '../src/config.ts';
import { createFirewallWorker } from '../src/worker.ts';
import type { Changes } from '../src/backend.ts';

// A bench script, not the worker: its knobs come from here.
const SIZES = benchInts('FIREWALL_BENCH_SIZES', [1000, 10_000]);
const SAMPLES = benchInt('FIREWALL_BENCH_LATENCY_SAMPLES', 200);
const MAX_S = benchInt('FIREWALL_BENCH_MAX_SECONDS', 120);
const CONNS = benchInt('FIREWALL_BENCH_CONNECTIONS', 4);
// Unset: the worker's own default (DEFAULT_CONCURRENCY); "before" figures were taken with 8.
const CONCURRENCY = benchInt('FIREWALL_BENCH_CONCURRENCY', DEFAULT_CONCURRENCY);
const ALL_BACKENDS = ['ipset', 'iptables', 'dry-run'] as const;
const BACKENDS = benchChoices('FIREWALL_BENCH_BACKENDS', ALL_BACKENDS, ALL_BACKENDS);
const here = fileURLToPath(import.meta.url);
const schema = resolve(here, '../../../../sql/firewall/schema.sql');
const out = benchString('FIREWALL_BENCH_OUT', resolve(here, '../../../../docs/bench/firewall-worker.md'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

interface Row { backend: string; scenario: string; n: number; seconds: number; perSecond: number; note: string }
const rows: Row[] = [];
const latency: { backend: string; p50: number; p99: number; max: number; samples: number }[] = [];

async function world(backend: string, tag: string) {
  const ns = `fw-bench-${process.pid.toString(36)}-${tag}`;
  if (backend !== 'dry-run') execFileSync('ip', ['netns', 'add', ns]);
  const db = await createTestDatabase(`firewall_worker_bench_${tag}`, [schema]);
  const sql = await connect(db.url);
  const pipe = uniquePipePath(`firewall-bench-${tag}`);
  await sql.query('UPDATE fw_settings SET pipe = ?, hit_threshold = 5, ban_seconds = 3600', [basename(pipe)]);
  const config = loadFirewallConfig({
    DATABASE_URL: db.url, DBFIFO_PIPE_DIR: ensureStack().pipeDir, DBFIFO_PIPE: pipe, DBFIFO_PIPE_MODE: '0666',
    DBFIFO_RECONCILE_INTERVAL_MS: '0', LOG_LEVEL: 'error', DBFIFO_CONCURRENCY: String(CONCURRENCY), FIREWALL_BACKEND: backend,
    FIREWALL_NETNS: backend === 'dry-run' ? '' : ns, FIREWALL_SET_MAXELEM: '65536',
  });
  const worker = createFirewallWorker();
  const running = startWorker(worker, config, { logger: createLogger('firewall-bench', 'error') });
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
    latency.push({ backend, p50: pct(xs, 50), p99: pct(xs, 99), max: Math.max(...xs), samples: xs.length });
    console.log(backend, 'latency ms p50/p99', pct(xs, 50).toFixed(2), pct(xs, 99).toFixed(2), `(${xs.length}/${SAMPLES})`);
  } finally {
    await w.close();
  }
}

async function benchBulk(backend: string, n: number) {
  const w = await world(backend, `${backend}-${n}`);
  try {
    // 1. A burst: n single-row INSERTs (autocommit, as web requests would
    // write them) from CONNS connections at once; each row rings the pipe.
    const conns = await Promise.all(Array.from({ length: CONNS }, () => connect(w.url)));
    const commands0 = w.stats.commands;
    const groups0 = { ...w.fw.batcher.stats };
    const t0 = performance.now();
    await Promise.all(conns.map(async (c, k) => {
      for (let i = k; i < n; i += CONNS) await c.query('INSERT INTO blacklist (address, reason) VALUES (?, ?)', [`198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`, 'bench']);
    }));
    const inserted = performance.now();
    await Promise.all(conns.map((c) => c.end()));
    let done = 0;
    while ((done = await w.applied()) < n && performance.now() - t0 < MAX_S * 1000) await sleep(50);
    const s = (performance.now() - t0) / 1000;
    const lost = n - done;
    const groups = w.fw.batcher.stats.groups - groups0.groups;
    const commands = w.stats.commands - commands0;
    rows.push({
      backend, scenario: `doorbells (${CONNS} connections)`, n, seconds: s, perSecond: done / s,
      note: `${lost > 0 ? `${lost} not applied within ${MAX_S} s; ` : ''}INSERT itself ${((inserted - t0) / 1000).toFixed(2)} s; ${groups} sync groups (largest ${w.fw.batcher.stats.largest}), ${commands} firewall commands`,
    });
    console.log(backend, n, 'doorbells', (done / s).toFixed(0), '/s', lost ? `(${lost} not applied)` : '');
    // 2. Empty the kernel behind the worker's back, then one reconcile.
    await w.fw.backend.replaceAll([]);
    const t1 = performance.now();
    const r = await w.fw.reconcile();
    const s2 = (performance.now() - t1) / 1000;
    const inKernel = (await w.fw.backend.list()).length;
    rows.push({ backend, scenario: 'reconcile (one batch)', n, seconds: s2, perSecond: r.added / s2, note: `${inKernel} in the kernel afterwards` });
    console.log(backend, n, 'reconcile', (r.added / s2).toFixed(0), '/s', inKernel);
  } finally {
    await w.close();
  }
}

ensureStack();
for (const b of BACKENDS) {
  await benchLatency(b);
  for (const n of SIZES) await benchBulk(b, n);
}

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const md = `# firewall-worker benchmark

Generated by \`npm run bench -w packages/firewall-worker\` (bench/firewall.bench.ts) on ${new Date().toISOString().slice(0, 10)}.
Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Linux ${os.release()}, Node ${process.version}; load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (a shared machine: other suites were running).
Every firewall command runs as \`ip netns exec <ns> …\` in a private namespace (the exec adds a fork + setns per command).
MariaDB is the local stack; the worker runs in direct mode, \`DBFIFO_CONCURRENCY=${CONCURRENCY}\`.

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

| backend | scenario | n | seconds | bans/s | note |
| --- | --- | ---: | ---: | ---: | --- |
${rows.map((r) => `| ${r.backend} | ${r.scenario} | ${r.n} | ${f(r.seconds)} | ${f(r.perSecond, 0)} | ${r.note} |`).join('\n')}

${ratios()}

How to read the doorbell rows: the worker takes up to \`DBFIFO_CONCURRENCY\` doorbells at once; all
doorbells waiting for their COMMIT share one \`SELECT … WHERE id IN (…)\` per round, and the addresses
are synced in groups (one read of their active bans, one \`ipset restore\` / \`iptables-restore --noflush\`,
one \`UPDATE … applied_at\`); while a group runs, the next one fills. When the INSERTs outrun it, the pipe fills: \`fifo_write\` waits its
bounded time and returns 'false', which is why "INSERT itself" grows with n (the writers are slowed,
never blocked for good). "Not applied" counts rows still waiting at the cut-off: doorbells still
queued, or doorbells dropped while the pipe was full, which the next reconcile applies (the periodic
one is off in this benchmark; a doorbell whose row is not yet visible schedules a catch-up reconcile).
<!-- /bench:firewall-bans -->
`;

function ratios(): string {
  const lines: string[] = [];
  for (const b of BACKENDS) {
    for (const n of SIZES) {
      const d = rows.find((r) => r.backend === b && r.n === n && r.scenario.startsWith('doorbells'));
      const r = rows.find((x) => x.backend === b && x.n === n && x.scenario.startsWith('reconcile'));
      if (d && r && d.perSecond > 0) lines.push(`- ${b}, n = ${n}: one reconcile batch applies bans ${(r.perSecond / d.perSecond).toFixed(1)}× as fast as the doorbell burst.`);
    }
  }
  const lat = (b: string) => latency.find((l) => l.backend === b);
  const ip = lat('ipset'), it = lat('iptables'), dr = lat('dry-run');
  if (ip && dr) lines.push(`- The kernel command is most of the latency: ipset p50 ${f(ip.p50)} ms vs dry-run (same path, no command) ${f(dr.p50)} ms.`);
  if (ip && it) lines.push(`- iptables p50 / ipset p50 = ${(it.p50 / ip.p50).toFixed(1)} (check + add = two commands, versus one grouped \`ipset restore\`).`);
  return lines.length ? `### Ratios\n${lines.join('\n')}` : '';
}
// Everything from "## History" on is written by hand (before/after comparisons): keep it.
const kept = existsSync(out) ? readFileSync(out, 'utf8').split(/^(?=## History)/m)[1] : undefined;
writeFileSync(out, kept ? `${md}\n${kept}` : md);
console.log(`wrote ${out}`);
process.exit(0);
