// Benchmark: committed changes handed to onChange per second, for a burst of
// rows inserted in one statement (each row rings its own doorbell), on the
// local stack. Sizes from WEBHOOK_BENCH_ROWS (default 10000).
//   npm run bench -w @dbfifo/webhook-worker
// Prints a Markdown table; WEBHOOK_BENCH_OUT=<file> also writes it there.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, startWorker } from '@dbfifo/fifo-core';
import { benchInt, benchString, connect, createTestDatabase, ensureStack, removePipe, tempDir, uniquePipePath } from '@dbfifo/test-utils';
import { loadWebhookConfig, PIPE } from '../src/config.ts';
import { TABLE } from '../src/rows.ts';
import { createWebhookWorker } from '../src/worker.ts';

const ROWS = benchInt('WEBHOOK_BENCH_ROWS', 10_000);
const out = benchString('WEBHOOK_BENCH_OUT', '');
const SCHEMA = fileURLToPath(new URL('../../../sql/webhook/schema.sql', import.meta.url));

const stack = ensureStack();
const pipe = uniquePipePath('webhook-bench');
const copy = join(tempDir('webhook-bench-'), 'schema.sql');
await writeFile(copy, (await readFile(SCHEMA, 'utf8')).replaceAll(`fifo_write('${PIPE}',`, `fifo_write('${basename(pipe)}',`));
const db = await createTestDatabase('orders_bench', [copy]);
const sql = await connect(db.url);
let handled = 0;
let done: () => void = () => {};
const all = new Promise<void>((resolve) => (done = resolve));
const worker = createWebhookWorker({
  onChange: async () => {
    if (++handled === ROWS) done();
  },
});
const config = loadWebhookConfig({ DATABASE_URL: db.url, DBFIFO_PIPE_DIR: stack.pipeDir, DBFIFO_PIPE: pipe, DBFIFO_PIPE_MODE: '0666', DBFIFO_RECONCILE_INTERVAL_MS: '0' });
const running = startWorker(worker, config, { logger: createLogger('webhook-worker-bench', 'error') });
try {
  await running.ready;
  const t0 = performance.now();
  for (let i = 0; i < ROWS; i += 1000) {
    const n = Math.min(1000, ROWS - i);
    await sql.query(`INSERT INTO \`${TABLE}\` (name) VALUES ${Array.from({ length: n }, () => '(?)').join(', ')}`, Array.from({ length: n }, (_, j) => `row ${i + j}`));
  }
  await all;
  const seconds = (performance.now() - t0) / 1000;
  const table = [
    `| webhook-worker | rows | seconds | changes/s |`,
    `| --- | ---: | ---: | ---: |`,
    `| INSERT burst → onChange | ${ROWS} | ${seconds.toFixed(2)} | ${Math.round(ROWS / seconds)} |`,
    '',
  ].join('\n');
  process.stdout.write(table);
  if (out) await writeFile(out, table);
} finally {
  await running.stop();
  await sql.end();
  await db.drop();
  await removePipe(pipe);
  await rm(`${pipe}.dead`, { force: true });
}
