// The hostile set on each real worker's own pipe (sms-worker, static-gen,
// firewall-worker), run by fifo-core's runtime with its own database and
// triggers: every line is refused (dead-lettered) or handled, the worker
// keeps running, and a real change made after the garbage still takes effect
// exactly once. (hostile-lines.test.ts does the same on the ledger worker and
// calls each worker's parser directly.)
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, readDeadLetters, startWorker, type RunningWorker } from '@dbfifo/fifo-core';
import { waitFor, writeLines } from '@dbfifo/test-utils';
import { hostileBytes, hostileText } from '../src/hostile.ts';
import { report } from '../src/report.ts';
import { createSmsWorker } from '@dbfifo/sms-worker';
import { smsFixture } from '@dbfifo/sms-worker/testing';
import { PUBLISH, startTestSite } from '@dbfifo/static-gen/testing';
import { createWorld, netnsUnavailable } from '@dbfifo/firewall-worker/testing';

const lines = [...Object.values(hostileText).flat().map((l) => Buffer.from(`${l}\n`)), ...Object.values(hostileBytes()).flat()];


/** Rings the hostile set, waits until the worker has taken and settled all of it, and checks the accounts. */
async function survives(name: string, worker: RunningWorker, pipe: string, deadLetterFile: string): Promise<void> {
  const before = worker.metrics.received;
  writeLines(pipe, lines);
  // Taken, and neither pending (a batch worker lingers before its batch) nor being handled.
  await waitFor(() => worker.metrics.received - before >= lines.length && worker.metrics.inFlight === 0 && worker.metrics.pending === 0, { timeoutMs: 30_000, message: `${name}: all hostile lines taken` });
  const m = worker.metrics;
  let dead = await readDeadLetters(deadLetterFile);
  await waitFor(async () => (dead = await readDeadLetters(deadLetterFile)).length >= m.invalid, { timeoutMs: 10_000, message: `${name}: ${m.invalid} dead-letter entries` });
  const stillRunning = await Promise.race([worker.done.then(() => false, () => false), new Promise<boolean>((r) => setTimeout(() => r(true), 50))]);
  report(`hostile-pipe-${name}`, { linesSent: lines.length, received: m.received - before, invalid: m.invalid, handled: m.handled, failed: m.failed, rolledBack: m.rolledBack, merged: m.merged, dropped: m.dropped, deadLetters: dead.length, stillRunning });
  expect(stillRunning).toBe(true);
  expect(m.invalid).toBeGreaterThan(0);
  expect(dead.length).toBe(m.invalid);
  // Nothing unaccounted: refused before the handler, the handler ran (and finished or failed), or the
  // doorbell merged into a pending one of its key or was dropped for a catch-up from the rows (the
  // hostile set fills reads, so the runtime may take the pipe for full and catch up).
  expect(m.invalid + m.handled + m.failed + m.merged + m.dropped).toBe(m.received);
}

const noNetns = await netnsUnavailable();
if (noNetns) console.warn(`[reliability] hostile-pipe firewall-worker skipped: ${noNetns}`);

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

describe('the hostile set on each real worker pipe', () => {
  it('sms-worker: refuses the garbage, then sends the next real row exactly once', async () => {
    const fx = await smsFixture();
    cleanups.push(() => fx.close());
    const worker = startWorker(createSmsWorker(), fx.config(), { logger: createLogger('sms', 'silent') });
    cleanups.push(() => worker.stop());
    await worker.ready;
    await survives('sms-worker', worker, fx.pipe, `${fx.pipe}.dead`);
    await fx.sql.query("INSERT INTO sms_outbox (mobile, body) VALUES ('13113668891', 'after the garbage')");
    await waitFor(() => fx.api.messages().some((x) => x.body === 'after the garbage'), { message: 'the real text' });
    expect(fx.api.messages().filter((x) => x.body === 'after the garbage')).toHaveLength(1);
  });

  it('static-gen: refuses the garbage, writes nothing outside its folder, then publishes the next real article', async () => {
    const site = await startTestSite({ LOG_LEVEL: 'silent' }); // its worker is running on its own pipe
    cleanups.push(() => site.close());
    await survives('static-gen', site.running, site.env.DBFIFO_PIPE!, site.env.DBFIFO_DEAD_LETTER!);
    await site.sql.query(PUBLISH, ['after-garbage', 'After the garbage', '', '<p>real</p>', '']);
    await waitFor(() => site.page('after-garbage'), { message: 'the real page' });
    await waitFor(async () => (await readFile(`${site.outDir}/index.html`, 'utf8')).includes('After the garbage'), { message: 'the index lists it' });
    // Only pages of real rows: no slug from a hostile line became a file.
    expect((await site.files()).filter((f) => f.startsWith('news/'))).toEqual(['news/after-garbage.html']);
  });

  it.skipIf(noNetns)('firewall-worker: refuses the garbage (nothing reaches the kernel), then bans the next real address', async () => {
    const w = await createWorld('hostile', {});
    cleanups.push(() => w.close());
    await survives('firewall-worker', w.running, w.pipe, `${w.pipe}.dead`);
    expect(await w.net.inSrv('ipset', 'save', 'dbfifo-ban-v4')).not.toMatch(/^add /m); // no hostile text became a ban
    await w.sql.query('INSERT INTO blacklist (address, reason) VALUES (?, ?)', ['192.0.2.55', 'after the garbage']);
    await waitFor(async () => (await w.net.inSrv('ipset', 'save', 'dbfifo-ban-v4')).includes('add dbfifo-ban-v4 192.0.2.55'), { message: 'the real ban' });
  });
});
