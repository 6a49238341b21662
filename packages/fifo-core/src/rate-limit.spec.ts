import { describe, expect, it } from 'vitest';
import { TokenBucket } from './rate-limit.ts';

describe('TokenBucket', () => {
  it('spaces takes 1/rate apart after the burst, in arrival order', async () => {
    const bucket = new TokenBucket(50, 2); // 20 ms apart after 2 back to back
    const start = performance.now();
    const times: number[] = [];
    await Promise.all(Array.from({ length: 6 }, (_, i) => bucket.take().then(() => (times[i] = performance.now() - start))));
    expect(times[0]!).toBeLessThan(15);
    expect(times[1]!).toBeLessThan(15);
    // 6 takes with burst 2 at 50/s: the last may go no earlier than 4 intervals (80 ms) in.
    expect(times[5]!).toBeGreaterThanOrEqual(78);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
  });

  it('rate 0 means no limit', async () => {
    const bucket = new TokenBucket(0);
    const start = performance.now();
    await Promise.all(Array.from({ length: 1000 }, () => bucket.take()));
    expect(performance.now() - start).toBeLessThan(200);
  });

  it('a waiter gives up on abort', async () => {
    const bucket = new TokenBucket(1);
    await bucket.take();
    const ac = new AbortController();
    const waiting = bucket.take(ac.signal);
    ac.abort();
    await expect(waiting).rejects.toThrow();
  });
});
