import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CatchUp, type CatchUpReason } from './catch-up.ts';
import { ReconcileScheduler } from './reconcile-scheduler.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup(o: { settleMs: number; pass?: (n: number) => Promise<{ fixed: number; more?: boolean }> ; capacity?: () => boolean }) {
  const starts: number[] = [];
  const logs: { level: number; msg: string }[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void logs.push(JSON.parse(s) as { level: number; msg: string }) });
  const reconciler = new ReconcileScheduler(async () => {
    starts.push(Date.now());
    return o.pass ? o.pass(starts.length) : { fixed: 1 };
  }, 0, () => {});
  const counted: CatchUpReason[] = [];
  const ctl = new AbortController();
  const c = new CatchUp({ reconciler, settleMs: o.settleMs, hasCapacity: o.capacity ?? (() => true), log, counted: (r) => counted.push(r), signal: ctl.signal });
  return { c, starts, logs, counted, stop: () => ctl.abort() };
}

describe('CatchUp', () => {
  it('reconciles at once, then once more settleMs after the last loss, and logs the episode once at each end', async () => {
    const { c, starts, logs, counted } = setup({ settleMs: 300 });
    const t0 = Date.now();
    c.lost('pipe_full');
    c.lost('pending_full', 3);
    c.lost('pending_full', 2);
    expect(c.active).toBe(true);
    await c.settled();
    expect(c.active).toBe(false);
    // At once (long before the settle time), and the last pass after it; a slow first
    // pass that already started after the settle time would be the only one.
    expect(starts[0]! - t0).toBeLessThan(250);
    expect(starts.at(-1)! - t0).toBeGreaterThanOrEqual(295);
    expect(starts.length).toBeLessThanOrEqual(2);
    expect(counted).toEqual(['pipe_full', 'pending_full']);
    const warn = logs.filter((l) => l.level === 40);
    const info = logs.filter((l) => l.msg.startsWith('caught up'));
    expect(warn).toHaveLength(1);
    expect(info).toHaveLength(1);
    expect(info[0]).toMatchObject({ reasons: { pipe_full: { requests: 1, lost: 0 }, pending_full: { requests: 2, lost: 5 } }, fixed: starts.length, passes: starts.length });
  });

  it('a loss during a pass needs a pass that started after it', async () => {
    let release!: () => void;
    const { c, starts } = setup({
      settleMs: 0,
      pass: async (n) => {
        if (n === 1) await new Promise<void>((r) => (release = r));
        return { fixed: 0 };
      },
    });
    c.lost('pipe_full');
    await sleep(10);
    c.lost('pipe_full');
    expect(c.awaitingPass).toBe(true);
    release();
    await c.settled();
    expect(starts.length).toBe(2);
    expect(starts[1]!).toBeGreaterThan(starts[0]!);
  });

  it('runs again with backoff while reconcile reports more and fixes nothing, and waits for capacity', async () => {
    let capacity = false;
    const { c, starts } = setup({ settleMs: 0, capacity: () => capacity, pass: async (n) => ({ fixed: n < 3 ? 0 : 1, more: n < 3 }) });
    c.lost('handler_gave_up', 1);
    await sleep(30);
    expect(starts).toEqual([]);
    capacity = true;
    c.wake();
    await c.settled();
    expect(starts.length).toBe(3);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(350); // 200 ms, then 400 ms
  });
});
