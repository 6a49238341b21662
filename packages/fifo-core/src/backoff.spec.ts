import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay } from './backoff.ts';

describe('backoff', () => {
  it('doubles from the initial delay up to the ceiling', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, { initialMs: 100, maxMs: 1000 }))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(3, { initialMs: 10, factor: 3 })).toBe(90);
  });

  it('spreads a jittered delay over the upper half', () => {
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(3, { initialMs: 100, jitter: true });
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(400);
    }
  });

  it('counts tries until reset, and a wait aborted by the signal answers false at once', async () => {
    const b = new Backoff({ initialMs: 5 });
    expect([b.next(), b.next(), b.attempts]).toEqual([5, 10, 2]);
    b.reset();
    expect(b.next()).toBe(5);
    const slow = new Backoff({ initialMs: 60_000 });
    const ctl = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ctl.abort(), 10);
    expect(await slow.wait(ctl.signal)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
