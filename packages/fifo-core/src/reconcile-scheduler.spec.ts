import { describe, expect, it } from 'vitest';
import { ReconcileScheduler } from './reconcile-scheduler.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ReconcileScheduler', () => {
  it('runs at start, then every interval, never two passes at once', async () => {
    let running = 0;
    let overlap = false;
    const starts: number[] = [];
    const t0 = Date.now();
    const s = new ReconcileScheduler(async () => {
      if (running++ > 0) overlap = true;
      starts.push(Date.now() - t0);
      await sleep(30); // a pass longer than the interval
      running--;
      return { fixed: 1 };
    }, 10, () => {});
    await s.start();
    // Manual triggers while a pass runs join it instead of starting another.
    const a = s.runNow();
    const b = s.runNow();
    expect(a).toBe(b);
    await sleep(150);
    await s.stop();
    const runs = starts.length;
    await sleep(60);
    expect(starts.length).toBe(runs); // nothing after stop
    expect(overlap).toBe(false);
    expect(starts[0]).toBeLessThan(10);
    expect(runs).toBeGreaterThanOrEqual(3);
  });

  it('reports a failing pass and keeps its schedule', async () => {
    const errors: unknown[] = [];
    let n = 0;
    const s = new ReconcileScheduler(async () => {
      if (++n === 1) throw new Error('db down');
      return { fixed: 0 };
    }, 5, (e) => errors.push(e));
    expect(await s.start()).toBeUndefined();
    await sleep(40);
    await s.stop();
    expect(errors).toHaveLength(1);
    expect(n).toBeGreaterThan(1);
  });

  it('interval 0 means only at start', async () => {
    let n = 0;
    const s = new ReconcileScheduler(async () => ({ fixed: ++n }), 0, () => {});
    await s.start();
    await sleep(30);
    await s.stop();
    expect(n).toBe(1);
  });

  it('a pass that reports more is followed by another soon, even with no interval', async () => {
    let n = 0;
    const s = new ReconcileScheduler(async () => ({ fixed: 1, more: ++n < 3 }), 0, () => {});
    await s.start();
    for (let i = 0; i < 100 && n < 3; i++) await sleep(20);
    await sleep(300);
    await s.stop();
    expect(n).toBe(3); // two passes with more, one without: then only the interval (none) would run it
  });

  it('after a pass that fixed something and has more, runs again at once; after one that fixed nothing, backs off', async () => {
    const starts: number[] = [];
    const fixedPerPass = [0, 0, 0, 5, 5, 0];
    const s = new ReconcileScheduler(async () => {
      starts.push(Date.now());
      const fixed = fixedPerPass[starts.length - 1] ?? 0;
      return { fixed, more: starts.length < fixedPerPass.length };
    }, 0, () => {});
    await s.start();
    for (let i = 0; i < 200 && starts.length < fixedPerPass.length; i++) await sleep(20);
    await s.stop();
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(gaps[2]).toBeGreaterThanOrEqual(700); // three passes without progress: 200, 400, 800 ms
    expect(gaps[3]).toBeLessThan(150); // progress: at once
    expect(gaps[4]).toBeLessThan(150);
  });
});
