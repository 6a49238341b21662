// sms-worker benchmark: sends/s through the local Twilio-compatible API with
// the rate limit off, and insert-to-API-request latency (p50/p99), real
// MariaDB trigger → fifo.so → pipe → fifo-core (direct) → twilio SDK → local API.
// Sizes: SMS_BENCH_ROWS (throughput burst, default 1000), SMS_BENCH_LATENCY_ROWS
// (default 200, one INSERT every 10 ms), SMS_BENCH_RUNS (default 3). Results:
// docs/bench/sms-worker.md. Worker, API and client share this one process.
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { resolve } from 'node:path';
import { createLogger, startWorker } from '@dbfifo/fifo-core';
import { benchInt, median, repoRoot, summarize, waitFor } from '@dbfifo/test-utils';
import { smsFixture } from '../tests/fixture.ts';
import { createSmsWorker } from '../src/worker.ts';
import { createTwilioClient } from '../src/provider/twilio-client.ts';

const ROWS = benchInt('SMS_BENCH_ROWS', 1000);
const LATENCY_ROWS = benchInt('SMS_BENCH_LATENCY_ROWS', 200);
const RUNS = benchInt('SMS_BENCH_RUNS', 3);
const CONCURRENCY = String(benchInt('SMS_BENCH_CONCURRENCY', 16));
const OUT = resolve(repoRoot, 'docs/bench/sms-worker.md');


// A big multi-row INSERT commits after its first doorbells ring: give rows time to show.
// The worker's own runtime defaults (DBFIFO_CONCURRENCY batches, DBFIFO_BATCH_MAX); SMS_SEND_CONCURRENCY
// requests at once, the SDK-alone reference's concurrency.
const fx = await smsFixture({ SMS_SEND_CONCURRENCY: CONCURRENCY, SMS_RATE_PER_SEC: '0', SMS_ROW_WAIT_MS: '10000', LOG_LEVEL: 'silent' });
const throughput: number[] = [];
const sdkOnly: number[] = [];
const p50s: number[] = [];
const p99s: number[] = [];
try {
  for (let run = 1; run <= RUNS; run++) {
    // Reference ceiling: the twilio SDK alone against the same API, same concurrency, no database.
    fx.api.reset();
    const sdk = createTwilioClient(fx.config().twilio);
    let next = 0;
    const s0 = performance.now();
    await Promise.all(Array.from({ length: Number(CONCURRENCY) }, async () => {
      while (next++ < ROWS) await sdk.messages.create({ to: '+8613113668891', from: fx.env.TWILIO_FROM!, body: 'sdk only' });
    }));
    sdkOnly.push(ROWS / ((performance.now() - s0) / 1000));

    fx.api.reset();
    await fx.sql.query('DELETE FROM sms_outbox');
    const def = createSmsWorker();
    const w = startWorker(def, fx.config(), { logger: createLogger('sms-bench', 'silent') });
    await w.ready;

    // Throughput: one multi-row INSERT → ROWS doorbells → ROWS texts.
    const values = Array.from({ length: ROWS }, (_, i) => `('+86131${String(i).padStart(8, '0')}', 'bench ${run} #${i}')`);
    const t0 = performance.now();
    for (let i = 0; i < values.length; i += 1000) await fx.sql.query(`INSERT INTO sms_outbox (mobile, body) VALUES ${values.slice(i, i + 1000).join(',')}`);
    await waitFor(() => fx.api.messages().length >= ROWS, { timeoutMs: 600_000, intervalMs: 5, message: `${ROWS} texts` });
    const secs = (performance.now() - t0) / 1000;
    throughput.push(ROWS / secs);

    // Latency: single autocommit INSERTs, 10 ms apart; from just before the INSERT to the API receiving the create.
    fx.api.reset();
    const started = new Map<string, number>();
    for (let i = 0; i < LATENCY_ROWS; i++) {
      const body = `latency ${run} #${i}`;
      started.set(body, Date.now());
      await fx.sql.execute('INSERT INTO sms_outbox (mobile, body) VALUES (?, ?)', ['13113668891', body]);
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitFor(() => fx.api.messages().length >= LATENCY_ROWS, { timeoutMs: 60_000, message: 'latency texts' });
    const arrivals = new Map(fx.api.messages().map((m) => [m.body, m.createdAt.getTime()]));
    const lat = [...started].map(([body, t]) => arrivals.get(body)! - t);
    const { p50, p99 } = summarize(lat);
    p50s.push(p50);
    p99s.push(p99);
    await w.stop();
    console.log(`run ${run}: ${(ROWS / secs).toFixed(0)} sends/s (SDK alone ${sdkOnly[sdkOnly.length - 1]!.toFixed(0)}/s); latency p50 ${p50} ms, p99 ${p99} ms`);
  }
} finally {
  await fx.close();
}

const range = (xs: number[], f: (n: number) => string) => `${f(Math.min(...xs))} – ${f(Math.max(...xs))}`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const section = `<!-- bench:sms -->
## Sends per second and insert-to-API latency

Real path: \`INSERT INTO sms_outbox\` → AFTER INSERT trigger → \`fifo_write\` → pipe → fifo-core (direct
mode, sms-worker's batch defaults: up to 4 batches of 50 doorbells) → one commit-wait and one claim per batch →
twilio SDK (custom httpClient, \`SMS_SEND_CONCURRENCY=${CONCURRENCY}\` requests at once) → local Twilio-compatible API
(\`tools/twilio-local\`, no added latency) → rows marked sent by group commit. Worker, API and MySQL client share
one Node process.
\`SMS_RATE_PER_SEC=0\` (limiter off). Median of ${RUNS} runs.

| measure | median | range |
| --- | --- | --- |
| sends/s, ${int(ROWS)} rows inserted (INSERTs of 1,000 rows), until the API has them all | ${int(median(throughput))} | ${range(throughput, int)} |
| reference: the twilio SDK alone, ${int(ROWS)} creates, same concurrency, no database | ${int(median(sdkOnly))} | ${range(sdkOnly, int)} |
| worker / SDK-alone ratio (median of the runs' ratios; each run measures both, one after the other) | ${median(throughput.map((t, i) => t / sdkOnly[i]!)).toFixed(2)} | ${Math.min(...throughput.map((t, i) => t / sdkOnly[i]!)).toFixed(2)} – ${Math.max(...throughput.map((t, i) => t / sdkOnly[i]!)).toFixed(2)} |
| insert → API request, p50 (${LATENCY_ROWS} single INSERTs, 10 ms apart) | ${median(p50s)} ms | ${range(p50s, String)} ms |
| insert → API request, p99 | ${median(p99s)} ms | ${range(p99s, String)} ms |

Latency runs from just before the autocommit INSERT is sent to the local API receiving the create
request (one clock: same host). It includes the trigger, the pipe, the row re-read, the claim UPDATE and
the SDK's request building. Per batch the worker adds a locking read (the commit-wait), a claim UPDATE and its
read-back; sent rows are recorded by group commit, one UPDATE for the rows sent while the previous one was
written (each an autocommit, \`innodb_flush_log_at_trx_commit=1\`). The burst's throughput includes the wait for
its first 1,000-row INSERT to commit, which the SDK alone does not have. With the default \`SMS_RATE_PER_SEC=1\`
the rate, not the worker, bounds sends/s.

_Run ${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model.trim().split(' ').slice(0, 2).join(' ')}, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)} at the end (shared machine: compare ratios, not absolutes)._
<!-- /bench:sms -->`;

let doc = await readFile(OUT, 'utf8').catch(() => '# sms-worker benchmarks\n\nProduced by `npm run bench -w @dbfifo/sms-worker` (sizes: SMS_BENCH_ROWS, SMS_BENCH_LATENCY_ROWS, SMS_BENCH_RUNS).\n');
doc = /<!-- bench:sms -->[\s\S]*<!-- \/bench:sms -->/.test(doc) ? doc.replace(/<!-- bench:sms -->[\s\S]*<!-- \/bench:sms -->/, section) : `${doc.trimEnd()}\n\n${section}\n`;
await writeFile(OUT, doc);
console.log(`wrote ${OUT}`);
process.exit(0);
