// webhook-worker benchmark: deliveries per second to a local receiver that
// answers at once, against a bare HTTP client posting the same bodies at the
// same concurrency (the ceiling on this machine), and their ratio. Real path:
// INSERT INTO orders → AFTER INSERT trigger → fifo_write → pipe → fifo-core
// (direct) → locks, committed read, ledger → POST → ledger.
// Sizes: WEBHOOK_BENCH_ROWS (default 5000), WEBHOOK_BENCH_CONCURRENCY (requests
// in flight, both sides; default 16), WEBHOOK_BENCH_RUNS (default 3).
// Results: docs/bench/webhook-worker.md (WEBHOOK_BENCH_OUT to write elsewhere),
// between `<!-- bench:webhook -->` markers that tools/bench includes in docs/benchmarks.md.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { resolve } from 'node:path';
import { benchInt, benchString, median, repoRoot, waitFor } from '@dbfifo/test-utils';
import { webhookFixture } from '../tests/fixture.ts';

const ROWS = benchInt('WEBHOOK_BENCH_ROWS', 5000);
const CONCURRENCY = benchInt('WEBHOOK_BENCH_CONCURRENCY', 16);
const RUNS = benchInt('WEBHOOK_BENCH_RUNS', 3);
const OUT = benchString('WEBHOOK_BENCH_OUT', resolve(repoRoot, 'docs/bench/webhook-worker.md'));

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** A receiver that reads each body and answers 204 at once; counts what it got. */
async function instantReceiver(): Promise<{ url: string; count(): number; lastBody(): string; reset(): void; close(): Promise<void> }> {
  let n = 0;
  let last = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      n++;
      last = Buffer.concat(chunks).toString('utf8');
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    count: () => n,
    lastBody: () => last,
    reset: () => void (n = 0),
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/** The ceiling: the same bodies POSTed with node:http, keep-alive, CONCURRENCY in flight, nothing else. */
async function bareClient(url: string, body: string): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next++ < ROWS) {
      await new Promise<void>((ok, fail) => {
        const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `bare-${next}`, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on('end', ok);
        });
        req.on('error', fail);
        req.end(body);
      });
    }
  }));
  const perSecond = ROWS / ((performance.now() - t0) / 1000);
  agent.destroy();
  return perSecond;
}

const receiver = await instantReceiver();
// A big multi-row INSERT commits after its first doorbells ring: give its rows time to show.
const fx = await webhookFixture({ env: { WEBHOOK_URL: receiver.url, WEBHOOK_CONCURRENCY: String(CONCURRENCY), WEBHOOK_ROW_WAIT_MS: '10000', LOG_LEVEL: 'silent' } });
const worker: number[] = [];
const bare: number[] = [];
try {
  for (let run = 1; run <= RUNS; run++) {
    await fx.sql.query('DELETE FROM orders');
    await fx.sql.query('DROP TABLE IF EXISTS webhook_ledger');
    const w = await fx.start();
    receiver.reset();
    const values = Array.from({ length: ROWS }, (_, i) => `(${run}, 'bench-${i}', 'new', ${i % 1000}.25)`);
    const t0 = performance.now();
    for (let i = 0; i < values.length; i += 1000) await fx.sql.query(`INSERT INTO orders (shop_id, order_no, status, total) VALUES ${values.slice(i, i + 1000).join(',')}`);
    await waitFor(() => receiver.count() >= ROWS, { timeoutMs: 600_000, intervalMs: 5, message: `${ROWS} deliveries` });
    worker.push(ROWS / ((performance.now() - t0) / 1000));
    await w.running.stop();

    const body = receiver.lastBody();
    receiver.reset();
    bare.push(await bareClient(receiver.url, body));
    process.stderr.write(`[webhook bench] run ${run}: worker ${fmt(worker.at(-1)!)}/s, bare client ${fmt(bare.at(-1)!)}/s\n`);
  }
} finally {
  await fx.close();
  await receiver.close();
}

const ratios = worker.map((x, i) => x / bare[i]!);
const range = (xs: number[]) => `${fmt(Math.min(...xs))} – ${fmt(Math.max(...xs))}`;
const section = `<!-- bench:webhook -->
## Deliveries per second to a receiver that answers at once

Real path: \`INSERT INTO orders\` (composite primary key; INSERTs of 1,000 rows) → AFTER INSERT trigger →
\`fifo_write\` → pipe → fifo-core (direct mode, its defaults: 4 batches of up to 100 doorbells) → per-row
lock, committed read and ledger → POST (\`WEBHOOK_CONCURRENCY\` ${CONCURRENCY}, keep-alive) → ledger. The
receiver (node:http, same process) answers 204 at once. The reference posts the worker's own request
body with node:http at the same concurrency, nothing else. Median of ${RUNS} runs.

| measure | median | range |
| --- | --- | --- |
| deliveries/s, ${fmt(ROWS)} rows inserted, until the receiver has them all | ${fmt(median(worker))} | ${range(worker)} |
| reference: bare HTTP client, ${fmt(ROWS)} POSTs, same concurrency | ${fmt(median(bare))} | ${range(bare)} |
| worker / bare-client ratio | ${median(ratios).toFixed(2)} | |

Per delivery the worker adds to the POST a share of its batch's statements: \`GET_LOCK\`s, one locking
read, one ledger read, the intent and the outcome writes (autocommit, \`innodb_flush_log_at_trx_commit=1\`).

_Run ${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model.split(' ').slice(0, 2).join(' ') ?? 'CPU'}, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)} at the end (shared machine: compare ratios, not absolutes)._
<!-- /bench:webhook -->`;

const head = `# webhook-worker benchmarks

Produced by \`npm run bench -w @dbfifo/webhook-worker\` (sizes: WEBHOOK_BENCH_ROWS, WEBHOOK_BENCH_CONCURRENCY, WEBHOOK_BENCH_RUNS).
`;
const previous = await readFile(OUT, 'utf8').catch(() => '');
const doc = /<!-- bench:webhook -->[\s\S]*<!-- \/bench:webhook -->/.test(previous)
  ? previous.replace(/<!-- bench:webhook -->[\s\S]*<!-- \/bench:webhook -->/, section)
  : `${head}\n${section}\n`;
await writeFile(OUT, doc);
process.stderr.write(`[webhook bench] wrote ${OUT}\n`);
process.exit(0);
