// Worker processes as deployed (`tsx src/main.ts`, configured by environment):
// queue mode with two consumer processes (also sharing one send rate), and a worker killed with SIGKILL in
// the middle of a burst and started again.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@dbfifo/test-utils';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { outboxRows, smsFixture, type Fixture } from './fixture.ts';
import { meanRatePerSec, worstWindow } from './rate-windows.ts';

const PKG = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let fx: Fixture;
const children: ChildProcess[] = [];

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startProcess(env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: PKG,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...fx.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

const ready = (p: Proc) => waitFor(() => p.output().includes('reading pipe') || p.output().includes('"msg":"queue consumer'), { message: 'worker ready', timeoutMs: 30_000 }).catch((e) => {
  throw new Error(`${(e as Error).message}\n${p.output()}`);
});
const sentLines = (p: Proc) => p.output().split('\n').filter((l) => l.includes('"msg":"sms sent"')).length;

async function insertRows(n: number, tag: string): Promise<void> {
  const values = Array.from({ length: n }, (_, i) => `('+86131${String(i).padStart(8, '0')}', '${tag} #${i}')`);
  for (let i = 0; i < values.length; i += 500) await fx.sql.query(`INSERT INTO sms_outbox (mobile, body) VALUES ${values.slice(i, i + 500).join(',')}`);
}

async function expectEachRowSentOnce(n: number): Promise<void> {
  const bodies = fx.api.messages().map((m) => m.body);
  expect(bodies).toHaveLength(n);
  expect(new Set(bodies).size).toBe(n);
  const rows = await outboxRows(fx.sql);
  expect(rows).toHaveLength(n);
  const bySid = new Map(fx.api.messages().map((m) => [m.sid, m.body]));
  for (const r of rows) {
    expect(r.status).toBe('sent');
    expect(bySid.get(String(r.provider_sid))).toBe(r.body);
  }
}

beforeAll(async () => {
  fx = await smsFixture();
});
afterAll(() => fx.close());
beforeEach(async () => {
  fx.api.reset();
  await fx.sql.query('DELETE FROM sms_outbox');
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('sms-worker processes', () => {
  it('queue mode: 1,000 outbox rows, two consumer processes → 1,000 texts, none twice', async () => {
    const queueName = `sms_test_${process.pid}_${Date.now().toString(36)}`;
    // 500-row INSERTs ring before they commit: give rows time to show (no reconcile here to hide a lost doorbell).
    const common = { DBFIFO_MODE: 'queue', DBFIFO_QUEUE_NAME: queueName, DBFIFO_QUEUE_BACKOFF_MS: '50', DBFIFO_CONCURRENCY: '8', SMS_ROW_WAIT_MS: '10000' };
    const a = startProcess({ ...common, DBFIFO_ROLE: 'both' });
    const b = startProcess({ ...common, DBFIFO_ROLE: 'consumer' });
    try {
      await ready(a);
      await insertRows(1000, 'queued');
      await waitFor(async () => (await outboxRows(fx.sql)).every((r) => r.status === 'sent'), { message: '1000 rows sent', timeoutMs: 60_000, intervalMs: 200 })
        .catch((e) => {
          throw new Error(`${(e as Error).message}\n--- A ---\n${a.output().slice(-3000)}\n--- B ---\n${b.output().slice(-3000)}`);
        });
      await expectEachRowSentOnce(1000);
      const split = [sentLines(a), sentLines(b)];
      console.log(`queue mode: process A sent ${split[0]}, process B sent ${split[1]}`);
      expect(split[0]! + split[1]!).toBe(1000);
      expect(Math.min(...split)).toBeGreaterThan(0); // both consumers took part
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      expect(await a.exited).toBe(0);
      expect(await b.exited).toBe(0);
    } finally {
      const q = new Queue(queueName, { connection: { url: fx.env.REDIS_URL }, prefix: 'dbfifo' });
      await q.obliterate({ force: true }).catch(() => {});
      await q.close();
    }
  });

  it('queue mode: two consumers at SMS_RATE_PER_SEC=5 together keep 5 creates per second', async () => {
    const RATE = 5;
    const queueName = `sms_test_rate_${process.pid}_${Date.now().toString(36)}`;
    // A sender of its own, so the shared limiter's key (named after it) is this test's alone.
    const from = `+1500555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
    const common = { DBFIFO_MODE: 'queue', DBFIFO_QUEUE_NAME: queueName, DBFIFO_QUEUE_BACKOFF_MS: '50', DBFIFO_CONCURRENCY: '8', SMS_ROW_WAIT_MS: '10000', SMS_RATE_PER_SEC: String(RATE), TWILIO_FROM: from };
    const a = startProcess({ ...common, DBFIFO_ROLE: 'both' });
    const b = startProcess({ ...common, DBFIFO_ROLE: 'consumer' });
    try {
      // A consumer-only process logs no 'reading pipe'; its limiter line comes from start().
      await Promise.all([ready(a), waitFor(() => b.output().includes('sms rate limit shared through Redis'), { message: 'consumer B started', timeoutMs: 30_000 })]);
      await insertRows(25, 'rated');
      await waitFor(async () => (await outboxRows(fx.sql)).every((r) => r.status === 'sent'), { message: '25 rows sent', timeoutMs: 30_000, intervalMs: 200 })
        .catch((e) => {
          throw new Error(`${(e as Error).message}\n--- A ---\n${a.output().slice(-3000)}\n--- B ---\n${b.output().slice(-3000)}`);
        });
      await expectEachRowSentOnce(25);
      const split = [sentLines(a), sentLines(b)];
      const creates = fx.api.requests().filter((q) => q.method === 'POST').map((q) => q.at).sort((x, y) => x - y);
      const worst = worstWindow(creates, 1000);
      const meanRate = meanRatePerSec(creates);
      console.log(`shared rate: A sent ${split[0]}, B sent ${split[1]}; ${creates.length} creates, mean ${meanRate.toFixed(2)}/s, worst 1-second window ${worst} at SMS_RATE_PER_SEC=${RATE}`);
      expect(Math.min(...split)).toBeGreaterThan(0); // both consumers sent: the limit held across processes
      // Per-process limiters would allow 2 × 5 = 10 per second. One extra arrival
      // may touch a window (grant-to-API jitter), as in the 429-storm test.
      expect(worst).toBeLessThanOrEqual(RATE + 1);
      expect(meanRate).toBeLessThanOrEqual(RATE * 1.02);
      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      expect(await a.exited).toBe(0);
      expect(await b.exited).toBe(0);
    } finally {
      const q = new Queue(queueName, { connection: { url: fx.env.REDIS_URL }, prefix: 'dbfifo' });
      await q.obliterate({ force: true }).catch(() => {});
      await q.close();
    }
  });

  it('SIGKILL mid-burst, then restart → every row sent exactly once', async () => {
    fx.api.configure({ latencyMs: 20, jitterMs: 20 }); // keep requests in flight when the kill lands
    const env = {
      DBFIFO_CONCURRENCY: '8',
      DBFIFO_RECONCILE_INTERVAL_MS: '500',
      SMS_STUCK_AFTER_MS: '1500',
      TWILIO_HTTP_TIMEOUT_MS: '500',
      SMS_RETRY_MAX_MS: '100',
      SMS_ROW_WAIT_MS: '10000',
    };
    const first = startProcess(env);
    await ready(first);
    await insertRows(300, 'burst');
    await waitFor(() => fx.api.messages().length >= 60, { message: '60 texts before the kill', timeoutMs: 30_000 });
    first.child.kill('SIGKILL');
    await first.exited;
    const before = await outboxRows(fx.sql);
    const sendingAtKill = before.filter((r) => r.status === 'sending').length;
    const sentAtKill = fx.api.messages().length;

    const second = startProcess(env);
    await ready(second);
    await waitFor(async () => (await outboxRows(fx.sql)).every((r) => r.status === 'sent'), { message: '300 rows sent', timeoutMs: 60_000, intervalMs: 200 });
    console.log(`SIGKILL: ${sentAtKill} texts before the kill, ${sendingAtKill} rows left 'sending'; recovered: ${(second.output().match(/recovered: already sent/g) ?? []).length}`);
    await expectEachRowSentOnce(300);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
