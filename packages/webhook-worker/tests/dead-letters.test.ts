// Dead letters a person can see and redeliver: a receiver that refuses a
// change (a 4xx) dead-letters its row at once, one that keeps failing does so
// after WEBHOOK_ATTEMPTS; while dead, the row's later changes wait; the
// `webhook-worker` command lists them and redelivers each as it is now.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitFor } from '@dbfifo/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effects, effectsOf, webhookFixture, type Fixture, type Running } from './fixture.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../bin/webhook-worker.mjs', import.meta.url));

let f: Fixture;
let w: Running;
const cli = (...args: string[]) => run(process.execPath, [BIN, ...args], { env: { ...process.env, ...f.env } });

beforeAll(async () => {
  f = await webhookFixture({ env: { WEBHOOK_ATTEMPTS: '3' } });
  f.receiver.answer = (r) => (r.key.order_no === 'refused' ? { status: 422 } : r.key.order_no === 'flaky' ? { status: 503 } : { status: 200 });
  w = await f.start();
});

afterAll(() => f?.close());

describe('webhook-worker dead letters', () => {
  it('a 4xx dead-letters the row at once; 503s after WEBHOOK_ATTEMPTS tries; the command lists both', async () => {
    await f.sql.query("INSERT INTO orders (shop_id, order_no) VALUES (7, 'refused'), (7, 'flaky')");
    await waitFor(() => w.worker.stats.deadLettered === 2, { message: 'two dead letters' });
    expect(f.receiver.requests.filter((r) => r.key.order_no === 'refused')).toHaveLength(1);
    expect(f.receiver.requests.filter((r) => r.key.order_no === 'flaky')).toHaveLength(3);

    const { stdout } = await cli('dead-letters');
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(stdout).toMatch(/orders \[7,"refused"\] .*after 1 tries\s+RECEIVER_REFUSED: HTTP 422/);
    expect(stdout).toMatch(/orders \[7,"flaky"\] .*after 3 tries\s+ATTEMPTS_EXHAUSTED: HTTP 503/);
  });

  it("holds a dead row's later changes, and redelivers it as it is now once a person says so", async () => {
    await f.sql.query("UPDATE orders SET status = 'changed' WHERE order_no = 'refused'");
    await f.sql.query("INSERT INTO orders (shop_id, order_no) VALUES (7, 'marker')");
    await effects(f.receiver, 1);
    expect(f.receiver.requests.filter((r) => r.key.order_no === 'refused')).toHaveLength(1);

    f.receiver.answer = () => ({ status: 200 });
    const listed = (await cli('dead-letters')).stdout;
    const id = listed.split('\n').find((l) => l.includes('"refused"'))!.split(/\s+/)[0]!;
    const one = await cli('redeliver', id);
    expect(one.stdout).toContain('orders [7,"refused"]: delivered');
    expect(effectsOf(f.receiver, { shop_id: 7, order_no: 'refused' }).map((e) => e.row?.status)).toEqual(['changed']);

    const all = await cli('redeliver', '--all');
    expect(all.stdout).toContain('orders [7,"flaky"]: delivered');
    expect((await cli('dead-letters')).stdout).toBe('no dead letters\n');
  });

  it('says how to use it, and refuses a bad command line', async () => {
    const bad = await cli('redeliver').catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 64 });
    expect((bad as { stderr: string }).stderr).toContain('webhook-worker redeliver --all');
  });
});
