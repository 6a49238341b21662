// The batch path, called as the runtime calls it (handleBatch, reconcile):
// one commit-wait and one claim per batch, per-message outcomes, concurrent
// consumers, rows whose outcome is open, and the circuit breaker.
import { PermanentError, RolledBackError } from '@dbfifo/fifo-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidNumberError, SmsError } from '../src/errors.ts';
import { lineMessage, outboxRows, smsFixture, startedWorker, type Fixture } from './fixture.ts';

let fx: Fixture;
let w: Awaited<ReturnType<typeof startedWorker>>;
const FAST_BREAKER = { SMS_BREAKER_FAILURES: '3', SMS_BREAKER_COOLDOWN_MS: '100', SMS_BREAKER_COOLDOWN_MAX_MS: '200' };

beforeAll(async () => {
  fx = await smsFixture(FAST_BREAKER);
});
afterAll(() => fx.close());
beforeEach(async () => {
  fx.api.reset();
  await fx.sql.query('DELETE FROM sms_outbox');
  w = await startedWorker(fx.config());
});
afterEach(() => w.stop());

async function insertMany(n: number, tag: string, mobile = (i: number) => `+86131${String(i).padStart(8, '0')}`): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const [r] = await fx.sql.execute('INSERT INTO sms_outbox (mobile, body) VALUES (?, ?)', [mobile(i), `${tag} #${i}`]);
    ids.push((r as { insertId: number }).insertId);
  }
  return ids;
}
const doorbells = (ids: number[], worker = w) => ids.map((id) => lineMessage(JSON.stringify({ table: 'sms_outbox', op: 'insert', id }), worker.worker, worker.helpers));
const bodiesAtApi = () => fx.api.messages().map((m) => m.body).sort();

describe('a batch of doorbells', () => {
  it('is claimed in one statement (one claim token on every row) and each row is sent once', async () => {
    const ids = await insertMany(20, 'batch');
    expect(await w.worker.handleBatch(doorbells(ids), w.helpers)).toEqual(ids.map(() => undefined));
    expect(bodiesAtApi()).toEqual(ids.map((_, i) => `batch #${i}`).sort());
    const rows = await outboxRows(fx.sql);
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    expect(new Set(rows.map((r) => r.claim_token)).size).toBe(1);
    expect(rows[0]!.claim_token).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an invalid number or a rolled-back row fails only its own message', async () => {
    const [good1] = await insertMany(1, 'good');
    const [bad] = await insertMany(1, 'bad', () => '12345');
    await fx.sql.beginTransaction();
    const [undone] = await insertMany(1, 'undone');
    await fx.sql.rollback();
    const [good2] = await insertMany(1, 'good too');
    const out = (await w.worker.handleBatch(doorbells([good1!, bad!, undone!, good2!]), w.helpers))!;
    expect(out[0]).toBeUndefined();
    expect(out[1]).toBeInstanceOf(InvalidNumberError);
    expect(out[1]).toBeInstanceOf(PermanentError); // not retried
    expect(out[2]).toBeInstanceOf(RolledBackError);
    expect(out[3]).toBeUndefined();
    expect(bodiesAtApi()).toEqual(['good #0', 'good too #0']);
    expect((await outboxRows(fx.sql)).find((r) => r.id === bad)).toMatchObject({ status: 'failed', error_code: 'INVALID_NUMBER', attempts: 0 });
  });

  it('two consumers claiming the same rows at once: every row is sent exactly once', async () => {
    const ids = await insertMany(30, 'race');
    const other = await startedWorker(fx.config());
    try {
      const [a, b] = await Promise.all([w.worker.handleBatch(doorbells(ids), w.helpers), other.worker.handleBatch(doorbells(ids, other), other.helpers)]);
      expect([...a!, ...b!].every((e) => e === undefined)).toBe(true); // a row the other claim won is not an error
    } finally {
      await other.stop();
    }
    expect(bodiesAtApi()).toEqual(ids.map((_, i) => `race #${i}`).sort());
    expect((await outboxRows(fx.sql)).every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    expect(w.worker.stats.sent + w.worker.stats.skipped).toBe(30);
  });

  it("mixes the article's bare-number lines with doorbells: each line becomes a row, then a text", async () => {
    const ids = await insertMany(2, 'row');
    const lines = ['13113668891', '13113668892'].map((n, i) => lineMessage(n, w.worker, w.helpers, `sms:line:${i}`));
    expect(await w.worker.handleBatch([...lines, ...doorbells(ids)], w.helpers)).toEqual([undefined, undefined, undefined, undefined]);
    expect(bodiesAtApi()).toEqual(['You have a new message.', 'You have a new message.', 'row #0', 'row #1']);
    await w.worker.handleBatch(lines, w.helpers); // redelivered: the rows exist, nothing is sent again
    expect(fx.api.messages()).toHaveLength(4);
  });
});

describe("rows whose outcome is open ('unknown')", () => {
  // Failures enough to exhaust SMS_SEND_ATTEMPTS lookups without opening the breaker.
  beforeEach(async () => {
    await w.stop();
    w = await startedWorker(fx.config({ SMS_BREAKER_FAILURES: '10' }));
  });
  // The create goes through but its answer is lost, then every question fails.
  const lostAnswerThenNoLookups = () => fx.api.configure({ dropAfterCreate: 1, failNextList: Array.from({ length: 5 }, () => ({ status: 503, code: 20503 })) });

  it('a text sent whose answer was lost while the provider could not be asked: row unknown, then recorded by reconcile, not resent', async () => {
    lostAnswerThenNoLookups();
    const ids = await insertMany(1, 'lost answer');
    const [err] = (await w.worker.handleBatch(doorbells(ids), w.helpers))!;
    expect(err).toBeInstanceOf(SmsError);
    expect((err as SmsError).code).toBe('OUTCOME_UNKNOWN');
    // Not 'sending': no worker holds it, so nobody waits SMS_STUCK_AFTER_MS to look at it.
    expect(await outboxRows(fx.sql)).toMatchObject([{ status: 'unknown' }]);
    fx.api.configure({ dropAfterCreate: 0 });
    expect(await w.worker.reconcile!(w.helpers)).toMatchObject({ unresolved: 1, fixed: 1, more: false });
    expect(fx.api.messages()).toHaveLength(1);
    const [row] = await outboxRows(fx.sql);
    expect(row).toMatchObject({ status: 'sent', provider_sid: fx.api.messages()[0]!.sid });
    expect(row!.last_error).toMatch(/^recovered/);
  });

  it('an unknown row the provider does not have is sent once, by a retry of its doorbell', async () => {
    fx.api.configure({ failNext: [{ status: 503, code: 20503 }], failNextList: Array.from({ length: 5 }, () => ({ status: 503, code: 20503 })) });
    const ids = await insertMany(1, 'never arrived');
    const [err] = (await w.worker.handleBatch(doorbells(ids), w.helpers))!;
    expect((err as SmsError).code).toBe('OUTCOME_UNKNOWN');
    expect(fx.api.messages()).toHaveLength(0);
    expect(await w.worker.handleBatch(doorbells(ids), w.helpers)).toEqual([undefined]);
    expect(fx.api.messages().map((m) => m.body)).toEqual(['never arrived #0']);
    expect(await outboxRows(fx.sql)).toMatchObject([{ status: 'sent', attempts: 2 }]);
  });
});

describe('a provider failing every request (circuit breaker)', () => {
  it('stops calling it after SMS_BREAKER_FAILURES failures, gives every row back, and sends each once after it recovers', async () => {
    await w.stop();
    w = await startedWorker(fx.config({ SMS_SEND_CONCURRENCY: '2' }));
    fx.api.configure({ failAll: { status: 503, code: 20503 } });
    const ids = await insertMany(12, 'outage');
    const out = (await w.worker.handleBatch(doorbells(ids), w.helpers))!;
    expect(out.every((e) => e instanceof SmsError && ['PROVIDER_UNAVAILABLE', 'OUTCOME_UNKNOWN'].includes(e.code))).toBe(true);
    // 3 failures open the breaker: a few creates (2 at a time) and lookups, then no request for the other rows.
    expect(fx.api.requests().length).toBeLessThanOrEqual(6);
    const statuses = (await outboxRows(fx.sql)).map((r) => r.status);
    expect(statuses.every((s) => s === 'pending' || s === 'unknown')).toBe(true); // none left 'sending'
    expect(statuses.filter((s) => s === 'pending').length).toBeGreaterThanOrEqual(8); // never requested

    // Still down: reconcile probes once and says so.
    const before = fx.api.requests().length;
    expect(await w.worker.reconcile!(w.helpers)).toMatchObject({ fixed: 0, more: true, providerDown: true });
    expect(fx.api.requests().length - before).toBe(1);

    fx.api.configure({ failAll: null });
    expect(await w.worker.reconcile!(w.helpers)).toMatchObject({ fixed: 12, more: false });
    expect(bodiesAtApi()).toEqual(ids.map((_, i) => `outage #${i}`).sort());
    expect((await outboxRows(fx.sql)).every((r) => r.status === 'sent')).toBe(true);
  });
});
