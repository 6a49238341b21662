// Issue 11's outage, at a small size: the local API fails every request for a
// few seconds while rows are inserted through the trigger. No periodic
// reconcile (DBFIFO_RECONCILE_INTERVAL_MS=0): the runtime's catch-up after
// the handlers gave up, with the breaker's probes, has to get every row out.
import { createLogger, startWorker, type RunningWorker } from '@dbfifo/fifo-core';
import { waitFor } from '@dbfifo/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSmsWorker } from '../src/worker.ts';
import { outboxRows, smsFixture, type Fixture } from './fixture.ts';

const OUTAGE_MS = 3000;
const ROWS = 30;
let fx: Fixture;
let running: RunningWorker | undefined;

beforeAll(async () => {
  // The provider's own defaults for the breaker (SMS_BREAKER_*), and the runtime's for retries and catch-up.
  fx = await smsFixture({ DBFIFO_RECONCILE_INTERVAL_MS: '0' });
});
afterAll(() => fx.close());
afterEach(() => running?.stop());

describe('the provider fails every request for a while', () => {
  it(`${ROWS} rows inserted during a ${OUTAGE_MS / 1000} s outage are each sent exactly once within 10 s of its end`, async () => {
    running = startWorker(createSmsWorker(), fx.config(), { logger: createLogger('sms-test', 'silent') });
    await running.ready;
    fx.api.configure({ failAll: { status: 503, code: 20503 } });
    const started = Date.now();
    for (let i = 0; i < ROWS; i += 3) {
      await fx.sql.query('INSERT INTO sms_outbox (mobile, body) VALUES (?, ?), (?, ?), (?, ?)', [
        '+8613100000001', `outage #${i}`, '+8613100000002', `outage #${i + 1}`, '+8613100000003', `outage #${i + 2}`,
      ]);
      await new Promise((r) => setTimeout(r, (OUTAGE_MS - 200) / (ROWS / 3)));
    }
    await new Promise((r) => setTimeout(r, Math.max(0, started + OUTAGE_MS - Date.now())));
    const duringOutage = fx.api.requests().length;
    fx.api.configure({ failAll: null });
    const recovered = Date.now();

    await waitFor(async () => (await outboxRows(fx.sql)).every((r) => r.status === 'sent'), { message: 'every row sent after the outage', timeoutMs: 10_000, intervalMs: 100 });
    console.log(`outage: ${duringOutage} requests during ${OUTAGE_MS} ms of failures for ${ROWS} rows; all sent ${Date.now() - recovered} ms after it ended`);
    const bodies = fx.api.messages().map((m) => m.body).sort();
    expect(bodies).toEqual(Array.from({ length: ROWS }, (_, i) => `outage #${i}`).sort());
    const bySid = new Map(fx.api.messages().map((m) => [m.sid, m.body]));
    for (const r of await outboxRows(fx.sql)) expect(bySid.get(String(r.provider_sid))).toBe(r.body);
    // The breaker held requests back: far fewer than the creates and lookups retries alone would make.
    expect(duringOutage).toBeLessThan(ROWS);
  });
});
