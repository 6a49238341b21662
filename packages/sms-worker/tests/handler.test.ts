// The batch handler and reconcile, called directly (as the runtime would),
// against the real MariaDB and the real twilio SDK talking to the local API.
import { PermanentError, RolledBackError } from '@dbfifo/fifo-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidNumberError, ProviderRefusedError, SmsError } from '../src/errors.ts';
import { createTwilioClient } from '../src/provider/twilio-client.ts';
import { failure, FROM, handleOne, lineMessage, outboxRows, smsFixture, startedWorker, type Fixture } from './fixture.ts';

let fx: Fixture;
let w: Awaited<ReturnType<typeof startedWorker>>;

beforeAll(async () => {
  fx = await smsFixture();
});
afterAll(() => fx.close());
beforeEach(async () => {
  fx.api.reset();
  await fx.sql.query('DELETE FROM sms_outbox');
  w = await startedWorker(fx.config());
});
afterEach(() => w.stop());

async function insert(mobile: string, body = 'hello'): Promise<number> {
  const [r] = await fx.sql.execute('INSERT INTO sms_outbox (mobile, body) VALUES (?, ?)', [mobile, body]);
  return (r as { insertId: number }).insertId;
}
const doorbell = (id: number) => lineMessage(JSON.stringify({ table: 'sms_outbox', op: 'insert', id }), w.worker, w.helpers);
const handle = (id: number) => handleOne(w.worker, doorbell(id), w.helpers);

describe('sms-worker handler', () => {
  it('sends a committed row once and records the provider sid', async () => {
    const id = await insert('13113668891', 'your code is 1234');
    await handle(id);
    const sent = fx.api.messages();
    expect(sent.map((m) => [m.to, m.body, m.from])).toEqual([['+8613113668891', 'your code is 1234', FROM]]);
    expect(await outboxRows(fx.sql)).toMatchObject([{ id, status: 'sent', to_e164: '+8613113668891', provider_sid: sent[0]!.sid, attempts: 1 }]);
  });

  it('a doorbell rung twice at once (redelivery, two consumers) sends one text', async () => {
    const id = await insert('13113668891');
    const other = await startedWorker(fx.config());
    try {
      await Promise.all([handle(id), handle(id), handleOne(other.worker, doorbell(id), other.helpers)]);
    } finally {
      await other.stop();
    }
    expect(fx.api.messages()).toHaveLength(1);
  });

  it('a row that never becomes visible (rolled back) is not sent', async () => {
    await fx.sql.beginTransaction();
    const id = await insert('13113668891');
    await fx.sql.rollback();
    await expect(handle(id)).rejects.toBeInstanceOf(RolledBackError);
    expect(fx.api.requests()).toHaveLength(0);
    expect(w.worker.stats.rolledBack).toBe(1);
  });

  it('waits for a row whose transaction commits a little after the doorbell', async () => {
    await fx.sql.beginTransaction();
    const id = await insert('13113668891');
    const handled = handle(id);
    await new Promise((r) => setTimeout(r, 100));
    await fx.sql.commit();
    await handled;
    expect(fx.api.messages()).toHaveLength(1);
  });

  it('an invalid number fails the row with a reason and makes no API call', async () => {
    const id = await insert('12345');
    const err = await failure(handle(id));
    expect(err).toBeInstanceOf(InvalidNumberError);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.code).toBe('INVALID_NUMBER');
    expect(fx.api.requests()).toHaveLength(0);
    const [row] = await outboxRows(fx.sql);
    expect(row).toMatchObject({ status: 'failed', error_code: 'INVALID_NUMBER', attempts: 0 });
    expect(row!.last_error).toMatch(/invalid number: "12345"/);
  });

  it('provider refusals (21211 invalid To, 21610 unsubscribed) fail the row once, no retry', async () => {
    fx.api.configure({ rejectTo: ['+8613113668891'], unsubscribed: ['+8613113668892'] });
    const a = await insert('13113668891');
    const b = await insert('13113668892');
    for (const [id, code] of [[a, '21211'], [b, '21610']] as const) {
      const err = await failure(handle(id));
      expect(err).toBeInstanceOf(ProviderRefusedError);
      expect(err.code).toBe(code);
    }
    expect(fx.api.requests().filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(await outboxRows(fx.sql)).toMatchObject([
      { status: 'failed', error_code: '21211', attempts: 1, provider_sid: null },
      { status: 'failed', error_code: '21610', attempts: 1, provider_sid: null },
    ]);
  });

  it('bad credentials fail the row with 20003 and say which variables to check', async () => {
    await w.stop();
    w = await startedWorker(fx.config({ TWILIO_AUTH_TOKEN: 'wrong' }));
    const id = await insert('13113668891');
    const err = await failure(handle(id));
    expect(err).toBeInstanceOf(ProviderRefusedError);
    expect(err.code).toBe('20003');
    const [row] = await outboxRows(fx.sql);
    expect(row).toMatchObject({ status: 'failed', error_code: '20003' });
    expect(row!.last_error).toMatch(/TWILIO_AUTH_TOKEN/);
    expect(fx.api.messages()).toHaveLength(0);
  });

  it('retries 429s and sends once they stop', async () => {
    fx.api.configure({ failNext: [{ status: 429, code: 20429 }, { status: 429, code: 20429 }] });
    const id = await insert('13113668891');
    await handle(id);
    const [row] = await outboxRows(fx.sql);
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
    expect(fx.api.requests().filter((r) => r.method === 'GET')).toHaveLength(0); // a 429 is certainly not sent: no lookup
    expect(fx.api.messages()).toHaveLength(1);
  });

  it('after SMS_SEND_ATTEMPTS transient failures the row goes back to pending and reconcile sends it', async () => {
    fx.api.configure({ rate429: 1 });
    const id = await insert('13113668891');
    const err = await failure(handle(id));
    expect(err).toBeInstanceOf(SmsError);
    expect(err.code).toBe('SEND_EXHAUSTED');
    expect(err.message).toMatch(/5 tries failed, last 20429/);
    expect(await outboxRows(fx.sql)).toMatchObject([{ id, status: 'pending', attempts: 5, error_code: '20429' }]);
    fx.api.configure({ rate429: 0 });
    const report = await w.worker.reconcile!(w.helpers);
    expect(report).toMatchObject({ fixed: 1, pending: 1, more: false });
    expect(fx.api.messages()).toHaveLength(1);
  });

  it('a message created but never answered (cut connection) is found at the provider, not resent', async () => {
    fx.api.configure({ dropAfterCreate: 1 });
    const id = await insert('13113668891', 'ambiguous');
    await handle(id);
    expect(fx.api.messages()).toHaveLength(1);
    expect(await outboxRows(fx.sql)).toMatchObject([{ id, status: 'sent', provider_sid: fx.api.messages()[0]!.sid }]);
  });

  it('an outage that also fails the lookup: the question is asked again, and the text that went out is not resent', async () => {
    // The create goes through but its answer is lost; then two lists fail.
    fx.api.configure({ dropAfterCreate: 1, failNextList: [{ status: 503, code: 20503 }, { status: 503, code: 20503 }] });
    const id = await insert('13113668891', 'outage');
    await handle(id);
    expect(fx.api.messages()).toHaveLength(1);
    expect(fx.api.requests().filter((r) => r.method === 'GET')).toHaveLength(3); // two failed lookups, then the answer
    expect(await outboxRows(fx.sql)).toMatchObject([{ id, status: 'sent', provider_sid: fx.api.messages()[0]!.sid }]);
  });

  it("a 500 that did not create the message is retried after the provider says it has none", async () => {
    fx.api.configure({ failNext: [{ status: 500, code: 20500 }] });
    const id = await insert('13113668891');
    await handle(id);
    expect(fx.api.messages()).toHaveLength(1);
    expect(await outboxRows(fx.sql)).toMatchObject([{ id, status: 'sent', attempts: 2 }]);
    expect(fx.api.requests().some((r) => r.method === 'GET')).toBe(true); // it asked before resending
  });

  it("the article's bare mobile line becomes an outbox row with the default body, then a text", async () => {
    const msg = lineMessage('13113668891', w.worker, w.helpers, 'sms:line:1');
    await handleOne(w.worker, msg, w.helpers);
    await handleOne(w.worker, msg, w.helpers); // the same line redelivered
    expect(fx.api.messages().map((m) => [m.to, m.body])).toEqual([['+8613113668891', 'You have a new message.']]);
    expect(await outboxRows(fx.sql)).toMatchObject([{ mobile: '13113668891', status: 'sent' }]);
  });

  it('reconcile sends pending rows whose doorbell was missed', async () => {
    await insert('13113668891', 'a');
    await insert('13113668892', 'b');
    await insert('bogus', 'c');
    const report = await w.worker.reconcile!(w.helpers);
    expect(report).toMatchObject({ fixed: 2, failed: 1 });
    expect(fx.api.messages().map((m) => m.body).sort()).toEqual(['a', 'b']);
  });
});

describe('rows left in sending by a worker that died', () => {
  // What a SIGKILL between claim and record leaves behind.
  async function stuckRow(mobile: string, body: string): Promise<number> {
    const [r] = await fx.sql.execute(
      `INSERT INTO sms_outbox (mobile, body, status, to_e164, attempts, claimed_at)
       VALUES (?, ?, 'sending', CONCAT('+86', ?), 1, NOW(3) - INTERVAL 10 SECOND)`, [mobile, body, mobile]);
    return (r as { insertId: number }).insertId;
  }

  it('already sent at the provider: recorded, not resent', async () => {
    const id = await stuckRow('13113668891', 'sent before the crash');
    const sdk = createTwilioClient(fx.config().twilio);
    const m = await sdk.messages.create({ to: '+8613113668891', from: FROM, body: 'sent before the crash' });
    const report = await w.worker.reconcile!(w.helpers);
    expect(report).toMatchObject({ unresolved: 1, fixed: 1 });
    expect(fx.api.messages()).toHaveLength(1);
    const [row] = await outboxRows(fx.sql);
    expect(row).toMatchObject({ id, status: 'sent', provider_sid: m.sid });
    expect(row!.last_error).toMatch(/^recovered/);
  });

  it('never reached the provider: sent once', async () => {
    await stuckRow('13113668891', 'lost in the crash');
    await w.worker.reconcile!(w.helpers);
    await w.worker.reconcile!(w.helpers);
    expect(fx.api.messages().map((m) => m.body)).toEqual(['lost in the crash']);
    expect(await outboxRows(fx.sql)).toMatchObject([{ status: 'sent', attempts: 2 }]);
  });

  it('an identical earlier text already recorded on another row is not taken for this one', async () => {
    const sdk = createTwilioClient(fx.config().twilio);
    const earlier = await sdk.messages.create({ to: '+8613113668891', from: FROM, body: 'same words' });
    await fx.sql.execute(`INSERT INTO sms_outbox (mobile, body, status, provider_sid) VALUES ('13113668891', 'same words', 'sent', ?)`, [earlier.sid]);
    await stuckRow('13113668891', 'same words');
    await w.worker.reconcile!(w.helpers);
    expect(fx.api.messages()).toHaveLength(2);
    const rows = await outboxRows(fx.sql);
    expect(rows[1]).toMatchObject({ status: 'sent' });
    expect(rows[1]!.provider_sid).not.toBe(earlier.sid);
  });

  it('with SMS_RECOVERY=park they wait for a person', async () => {
    await w.stop();
    w = await startedWorker(fx.config({ SMS_RECOVERY: 'park' }));
    await stuckRow('13113668891', 'unknown fate');
    expect(await w.worker.reconcile!(w.helpers)).toMatchObject({ unresolved: 1, fixed: 1 });
    expect(fx.api.requests()).toHaveLength(0);
    const [row] = await outboxRows(fx.sql);
    expect(row).toMatchObject({ status: 'parked' });
    expect(row!.last_error).toMatch(/outcome unknown/);
  });

  it('a fresh claim (a live worker) is left alone', async () => {
    await fx.sql.execute(`INSERT INTO sms_outbox (mobile, body, status, to_e164, attempts, claimed_at) VALUES ('13113668891', 'x', 'sending', '+8613113668891', 1, NOW(3))`);
    expect(await w.worker.reconcile!(w.helpers)).toMatchObject({ unresolved: 0, fixed: 0 });
    expect(fx.api.requests()).toHaveLength(0);
  });
});
