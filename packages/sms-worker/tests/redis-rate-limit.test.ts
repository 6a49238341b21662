// The shared limiter against the stack's real Redis: two limiters (two
// connections, as two processes would have) racing for one sender's key.
import { createServer } from 'node:net';
import { stackEnv } from '@dbfifo/test-utils';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisRateLimiter } from '../src/provider/redis-rate-limit.ts';
import { worstWindow } from './rate-windows.ts';

const redisUrl = stackEnv().redisUrl;
const keys: string[] = [];
const uniqueKey = () => {
  const k = `sms_test:rate:${process.pid}:${Math.random().toString(36).slice(2)}`;
  keys.push(k);
  return k;
};

afterAll(async () => {
  const r = new Redis(redisUrl);
  if (keys.length) await r.del(...keys);
  await r.quit();
});


describe('RedisRateLimiter', () => {
  it('two limiters on one key together never exceed rate × window + burst', async () => {
    const RATE = 20;
    const BURST = 2;
    const key = uniqueKey();
    const a = new RedisRateLimiter({ redisUrl, key, ratePerSec: RATE, burst: BURST });
    const b = new RedisRateLimiter({ redisUrl, key, ratePerSec: RATE, burst: BURST });
    try {
      const start = performance.now();
      const grants: { at: number; who: 'a' | 'b' }[] = [];
      const racer = (l: RedisRateLimiter, who: 'a' | 'b') => l.take().then(() => grants.push({ at: performance.now() - start, who }));
      await Promise.all(Array.from({ length: 15 }, () => [racer(a, 'a'), racer(b, 'b')]).flat());
      const times = grants.map((g) => g.at).sort((x, y) => x - y);
      const span = times[times.length - 1]! - times[0]!;
      console.log(`redis limiter: 30 grants over ${span.toFixed(0)} ms at ${RATE}/s burst ${BURST} (a ${grants.filter((g) => g.who === 'a').length}, b ${grants.filter((g) => g.who === 'b').length}); worst 1 s window ${worstWindow(times, 1000)}, worst 250 ms window ${worstWindow(times, 250)}`);
      // Each limiter alone would grant all 15 within ~0.7 s; together 30 need ≥ (30 − burst) / rate.
      expect(span).toBeGreaterThanOrEqual(((30 - BURST) * 1000) / RATE - 20);
      for (const w of [250, 500, 1000]) expect(worstWindow(times, w)).toBeLessThanOrEqual((RATE * w) / 1000 + BURST);
      // Both took part: neither is starved.
      expect(grants.filter((g) => g.who === 'a').length).toBeGreaterThan(0);
      expect(grants.filter((g) => g.who === 'b').length).toBeGreaterThan(0);
      // And the limit is a limit, not a stall: not much slower than the rate.
      expect(span).toBeLessThan(((30 - BURST) * 1000) / RATE + 1000);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('grants nothing while Redis is unreachable, and a waiter gives up on abort', async () => {
    // A port that accepts nothing: a listener we close again.
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const l = new RedisRateLimiter({ redisUrl: `redis://127.0.0.1:${port}`, key: uniqueKey(), ratePerSec: 1000, retryMs: 50 });
    try {
      const ac = new AbortController();
      let granted = false;
      const waiting = l.take(ac.signal).then(() => (granted = true));
      await new Promise((r) => setTimeout(r, 800));
      expect(granted).toBe(false); // no fallback to an unlimited send
      ac.abort();
      await expect(waiting).rejects.toThrow();
    } finally {
      await l.close();
    }
  });

  it('rate 0 means no limit (and no Redis)', async () => {
    const l = new RedisRateLimiter({ redisUrl: 'redis://127.0.0.1:1', key: uniqueKey(), ratePerSec: 0 });
    expect(l.limited).toBe(false);
    await Promise.all(Array.from({ length: 100 }, () => l.take()));
    await l.close();
  });
});
