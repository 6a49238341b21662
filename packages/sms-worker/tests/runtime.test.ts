// End to end in one process: MariaDB trigger → fifo.so → pipe → fifo-core
// runtime (direct mode) → sms-worker → twilio SDK → local API.
import { readFile } from 'node:fs/promises';
import { createLogger, startWorker, type RunningWorker } from '@dbfifo/fifo-core';
import { waitFor } from '@dbfifo/test-utils';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSmsWorker, type SmsWorker } from '../src/worker.ts';
import { ARTICLE_SQL, outboxRows, smsFixture, type Fixture } from './fixture.ts';
import { meanRatePerSec, worstWindow } from './rate-windows.ts';

let fx: Fixture;
let def: SmsWorker;
let running: RunningWorker;

beforeAll(async () => {
  fx = await smsFixture({ DBFIFO_CONCURRENCY: '32' });
});
afterAll(() => fx.close());
beforeEach(() => fx.api.reset());
afterEach(() => running?.stop());

async function run(extra: Record<string, string> = {}): Promise<void> {
  def = createSmsWorker();
  const config = fx.config(extra);
  running = startWorker(def, config, { logger: createLogger('sms-test', 'silent') });
  await running.ready;
}

describe('sms-worker under the fifo-core runtime', () => {
  it("the article's session: 3 demo rows pushed by SELECT → 3 texts; one insert through its trigger → 1 text", async () => {
    await fx.load(ARTICLE_SQL);
    await run();
    const [pushed] = await fx.sql.query(`SELECT fifo_write(?, concat(mobile,'\\r\\n')) AS w FROM demo`, [fx.pipe]);
    expect((pushed as { w: Buffer }[]).map((r) => String(r.w))).toEqual(['true', 'true', 'true']);
    await waitFor(() => fx.api.messages().length === 3, { message: '3 texts' });
    expect(fx.api.messages().map((m) => m.to).sort()).toEqual(['+8613113668891', '+8613113668892', '+8613113668893']);

    await fx.sql.query(`insert into demo(name,mobile) values('jerry','13322993040')`);
    await waitFor(() => fx.api.messages().length === 4, { message: '4th text' });
    expect(fx.api.messages()[3]).toMatchObject({ to: '+8613322993040', body: 'You have a new message.' });
    const [sent] = await fx.sql.query(`SELECT mobile, status FROM demo_sent`);
    expect(sent).toEqual([{ mobile: '13322993040', status: 'true' }]);
    await waitFor(async () => (await outboxRows(fx.sql)).filter((r) => r.status === 'sent').length === 4, { message: 'rows sent' });
  });

  it('an INSERT into sms_outbox rings the pipe through its trigger and is sent once', async () => {
    await fx.sql.query('DELETE FROM sms_outbox');
    await run();
    const [r] = await fx.sql.execute(`INSERT INTO sms_outbox (mobile, body) VALUES ('13113668891', 'trigger path')`);
    const id = (r as { insertId: number }).insertId;
    await waitFor(async () => (await outboxRows(fx.sql)).some((row) => row.id === id && row.status === 'sent'), { message: 'row sent' });
    expect(fx.api.messages().map((m) => m.body)).toEqual(['trigger path']);
  });

  it('100 rolled-back inserts → 0 texts; the worker then still sends a committed one', async () => {
    await fx.sql.query('DELETE FROM sms_outbox');
    await run();
    for (let i = 0; i < 100; i++) {
      await fx.sql.beginTransaction();
      await fx.sql.execute(`INSERT INTO sms_outbox (mobile, body) VALUES ('13113668891', ?)`, [`rolled back ${i}`]);
      await fx.sql.rollback();
    }
    await waitFor(() => running.metrics.rolledBack === 100, { message: '100 rolled back', timeoutMs: 20_000 });
    expect(def.stats.rolledBack).toBe(100);
    await fx.sql.execute(`INSERT INTO sms_outbox (mobile, body) VALUES ('13113668891', 'committed')`);
    await waitFor(() => fx.api.messages().length === 1, { message: 'committed text' });
    expect(fx.api.requests().filter((q) => q.method === 'POST')).toHaveLength(1);
    expect(fx.api.messages()[0]!.body).toBe('committed');
  });

  it('a malformed line is refused and dead-lettered; the worker keeps sending', async () => {
    await run();
    const [w] = await fx.sql.query(`SELECT fifo_write(?, 'DROP TABLE sms_outbox; --') AS w`, [fx.pipe]);
    expect(String((w as { w: Buffer }[])[0]!.w)).toBe('true');
    await waitFor(() => running.metrics.invalid === 1, { message: 'line refused' });
    // The refusal is counted at once; its dead-letter entry is appended asynchronously.
    await waitFor(async () => /DROP TABLE sms_outbox/.test(await readFile(fx.config().runtime.deadLetterFile, 'utf8').catch(() => '')), {
      message: 'the refused line in the dead-letter file',
    });
    await fx.sql.execute(`INSERT INTO sms_outbox (mobile, body) VALUES ('13113668891', 'still alive')`);
    await waitFor(() => fx.api.messages().some((m) => m.body === 'still alive'), { message: 'text after the bad line' });
  });

  it('a 429 storm: every row is sent, and creates never exceed SMS_RATE_PER_SEC', async () => {
    await fx.sql.query('DELETE FROM sms_outbox');
    const RATE = 20;
    fx.api.configure({ rate429: 0.5 });
    await run({ SMS_RATE_PER_SEC: String(RATE), SMS_SEND_ATTEMPTS: '30' });
    const values = Array.from({ length: 20 }, (_, i) => `('1311366${String(8800 + i)}', 'storm ${i}')`).join(',');
    await fx.sql.query(`INSERT INTO sms_outbox (mobile, body) VALUES ${values}`);
    await waitFor(() => fx.api.messages().length === 20, { message: '20 texts', timeoutMs: 30_000 });
    const creates = fx.api.requests().filter((q) => q.method === 'POST').map((q) => q.at);
    expect(creates.length).toBeGreaterThan(20); // 429s happened and were retried
    // The limiter grants creates at least 1/RATE apart (measured from the real
    // previous grant); what the API sees can still shift by a few ms of event-loop
    // and socket jitter, so one extra arrival may touch a 1-second window. Without
    // the limiter these ~40 creates arrive within ~0.1 s.
    const meanRate = meanRatePerSec(creates);
    console.log(`429 storm: ${creates.length} creates for 20 texts, mean ${meanRate.toFixed(2)}/s at SMS_RATE_PER_SEC=${RATE}`);
    expect(meanRate).toBeLessThanOrEqual(RATE * 1.02);
    const worst = worstWindow(creates, 1000);
    console.log(`429 storm: worst 1-second window ${worst} creates`);
    expect(worst).toBeLessThanOrEqual(RATE + 1);
    await waitFor(async () => (await outboxRows(fx.sql)).every((r) => r.status === 'sent'), { message: 'all rows sent' });
    expect(new Set(fx.api.messages().map((m) => m.body)).size).toBe(20);
  });
});
