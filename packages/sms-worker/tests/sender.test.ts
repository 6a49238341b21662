// Sender edge cases that need control over time: a rate-limit wait that
// outlives the claim, and a worker whose time zone differs from the server's.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, createPool, Slots, type RateLimiter } from '@dbfifo/fifo-core';
import type { Pool } from 'mysql2/promise';
import { SmsRows } from '../src/rows.ts';
import { Breaker } from '../src/provider/breaker.ts';
import { Sender } from '../src/provider/sender.ts';
import { createTwilioClient } from '../src/provider/twilio-client.ts';
import { FROM, outboxRows, smsFixture, type Fixture } from './fixture.ts';

let fx: Fixture;
let pool: Pool;
const log = createLogger('sms-sender-test', 'silent');

beforeAll(async () => {
  fx = await smsFixture();
  pool = createPool(fx.config().db, { connectionLimit: 2 });
});
afterAll(async () => {
  await pool.end();
  await fx.close();
});
beforeEach(async () => {
  fx.api.reset();
  await fx.sql.query('DELETE FROM sms_outbox');
});

/** A rate limiter that grants nothing until the test opens it. */
function gate(): RateLimiter & { open(): void; waiting: Promise<void> } {
  let open!: () => void;
  let arrived!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const waiting = new Promise<void>((r) => (arrived = r));
  return { limited: true, open, waiting, take: () => (arrived(), opened) };
}

const noLimit: RateLimiter = { limited: false, take: async () => undefined };

function sender(limiter: RateLimiter): Sender {
  const c = fx.config();
  const client = createTwilioClient(c.twilio);
  const breaker = new Breaker({ failures: 5, cooldownMs: 100, cooldownMaxMs: 100, probe: () => client.messages.list({ limit: 1 }), isOutage: () => true, log });
  return new Sender({ rows: new SmsRows(pool), client, limiter, slots: new Slots(4), breaker, sms: c.sms, twilio: c.twilio, batches: 1 });
}

async function pendingRow(body: string) {
  const [r] = await fx.sql.execute('INSERT INTO sms_outbox (mobile, body) VALUES (?, ?)', ['13113668891', body]);
  return (await new SmsRows(pool).fetch((r as { insertId: number }).insertId))!;
}

const deliverOne = async (s: Sender, row: Awaited<ReturnType<typeof pendingRow>>) => (await s.deliver([row], log, new AbortController().signal))[0];

describe('a claim that goes stale while waiting for the rate limit', () => {
  it('is not sent by the waiting worker once a resolver has taken the row over', async () => {
    const bucket = gate();
    const row = await pendingRow('slow rate');
    const delivery = deliverOne(sender(bucket), row);
    await bucket.waiting; // claimed, now waiting for a token
    // What another process's reconcile does to a claim older than SMS_STUCK_AFTER_MS (5 s here)…
    await fx.sql.execute("UPDATE sms_outbox SET attempts = attempts + 1, claimed_at = NOW(3) WHERE id = ? AND status = 'sending'", [row.id]);
    await new Promise((r) => setTimeout(r, fx.config().sms.stuckAfterMs / 2 + 100)); // …after a wait that long
    bucket.open();
    expect(await delivery).toBe('skipped');
    expect(fx.api.requests()).toHaveLength(0);
    expect(await outboxRows(fx.sql)).toMatchObject([{ status: 'sending', attempts: 2 }]); // the resolver's to finish
  });

  it('is sent when the claim is still ours after the wait', async () => {
    const bucket = gate();
    const row = await pendingRow('slow but ours');
    const delivery = deliverOne(sender(bucket), row);
    await bucket.waiting;
    bucket.open();
    expect(await delivery).toBe('sent');
    expect(fx.api.messages().map((m) => m.body)).toEqual(['slow but ours']);
  });
});

describe('a worker in another time zone than the database', () => {
  const zone = process.env.TZ;
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it('still finds the text a dead worker sent, and does not send it again', async () => {
    // Server time is read as the worker's local time by a plain Date column:
    // 12 hours west, the claim would look 12 hours in the future.
    process.env.TZ = 'Etc/GMT+12';
    const sdk = createTwilioClient(fx.config().twilio);
    await fx.sql.execute(
      `INSERT INTO sms_outbox (mobile, body, status, to_e164, attempts, claimed_at)
       VALUES ('13113668891', 'sent before the crash', 'sending', '+8613113668891', 1, NOW(3) - INTERVAL 10 SECOND)`);
    const sent = await sdk.messages.create({ to: '+8613113668891', from: FROM, body: 'sent before the crash' });
    const [stuck] = await new SmsRows(pool).unresolved(5000, 10);
    expect(await sender(noLimit).resolve(stuck!, log, new AbortController().signal)).toBe('recovered');
    expect(fx.api.messages()).toHaveLength(1);
    expect(await outboxRows(fx.sql)).toMatchObject([{ status: 'sent', provider_sid: sent.sid }]);
  });
});
