// The SMS provider fails every request while 4 connections insert texts at a
// steady rate: sms-worker's breaker holds requests back, its handlers give the
// rows back, and once the provider answers again the runtime's catch-up sends
// every row exactly once, with no periodic reconcile. The local
// Twilio-compatible API through the real twilio SDK; the rate limit off.
import { createLogger, startWorker } from '@dbfifo/fifo-core';
import { createSmsWorker } from '@dbfifo/sms-worker';
import { outboxRows, smsFixture, type Fixture } from '@dbfifo/sms-worker/testing';
import { connect, waitFor } from '@dbfifo/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sizes } from '../src/config.ts';
import { report } from '../src/report.ts';

/** Texts per second the 4 writers insert together, during the outage and after. */
const RATE = 100;

describe('the SMS provider fails every request', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await smsFixture({ DBFIFO_RECONCILE_INTERVAL_MS: '0', TWILIO_HTTP_TIMEOUT_MS: '2000' });
  });
  afterAll(() => fx?.close());

  it('every text inserted during the outage is sent exactly once within 10 s of its end', async () => {
    const worker = startWorker(createSmsWorker(), fx.config(), { logger: createLogger('sms-outage', 'silent') });
    try {
      await worker.ready;
      fx.api.configure({ failAll: { status: 503, code: 20503 } });
      const conns = await Promise.all([0, 1, 2, 3].map(() => connect(fx.db.url)));
      const end = Date.now() + sizes.outageSeconds * 1000;
      let inserted = 0;
      await Promise.all(conns.map(async (c, lane) => {
        for (let i = 0; Date.now() < end; i++) {
          const due = Date.now() + (1000 * 4) / RATE;
          await c.query('INSERT INTO sms_outbox (mobile, body) VALUES (?, ?)', [`+86131000${String(lane).padStart(5, '0')}`, `outage ${lane}-${i}`]);
          inserted++;
          await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
        }
      }));
      await Promise.all(conns.map((c) => c.end()));
      const requestsDuringOutage = fx.api.requests().length;
      fx.api.configure({ failAll: null });
      const recovered = Date.now();
      await waitFor(async () => (await outboxRows(fx.sql)).every((r) => r.status === 'sent'), { timeoutMs: 60_000, intervalMs: 100, message: 'every text sent after the outage' });
      const sentAfterMs = Date.now() - recovered;
      const rows = await outboxRows(fx.sql);
      const messages = fx.api.messages();
      const perBody = new Map<string, number>();
      for (const m of messages) perBody.set(m.body, (perBody.get(m.body) ?? 0) + 1);
      const duplicated = [...perBody.values()].filter((n) => n > 1).length;
      const lost = rows.filter((r) => !perBody.has(String(r.body))).length;
      report('provider-outage', { outageSeconds: sizes.outageSeconds, ratePerSec: RATE, inserted, rows: rows.length, requestsDuringOutage, sentAfterMs, messages: messages.length, lost, duplicated, catchUps: worker.metrics.catchUps });
      expect(rows.length).toBe(inserted);
      expect(lost).toBe(0);
      expect(duplicated).toBe(0);
      expect(messages.length).toBe(rows.length);
      expect(sentAfterMs).toBeLessThan(10_000);
    } finally {
      await worker.stop();
    }
  });
});
