import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { Coalescer } from './coalescer.ts';

describe('Coalescer', () => {
  it('turns a burst into one batch and resolves every waiter', async () => {
    const batches: Map<string, number[]>[] = [];
    const c = new Coalescer<string, number>({ debounceMs: 20, maxWaitMs: 1000 }, async (b) => {
      batches.push(b);
      return new Map();
    });
    await Promise.all(Array.from({ length: 100 }, (_, i) => c.add('a', i)));
    expect(batches).toHaveLength(1);
    expect(batches[0]!.get('a')).toHaveLength(100);
  });

  it('flushes by maxWait under a steady stream', async () => {
    let flushes = 0;
    const c = new Coalescer<string, number>({ debounceMs: 30, maxWaitMs: 60 }, async () => {
      flushes++;
      return new Map();
    });
    const first = c.add('a', 0);
    for (let i = 1; i < 10; i++) {
      await sleep(15);
      void c.add('a', i);
    }
    await first; // resolved long before the stream ended, thanks to maxWait
    expect(flushes).toBeGreaterThanOrEqual(1);
    await c.drain();
  });

  it('rejects only the waiters of the key that failed', async () => {
    const c = new Coalescer<string, number>({ debounceMs: 5, maxWaitMs: 50 }, async () => new Map([['bad', new Error('nope')]]));
    const ok = c.add('good', 1);
    const bad = c.add('bad', 2);
    await expect(ok).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow('nope');
  });

  it('can decide per value (only some edits of a key failed)', async () => {
    const c = new Coalescer<string, number>({ debounceMs: 5, maxWaitMs: 50 }, async () =>
      new Map([['a', (v: number) => (v > 1 ? new Error(`lost ${v}`) : undefined)]]));
    const results = await Promise.allSettled([c.add('a', 1), c.add('a', 2)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
  });

  it('never runs two batches at once; adds during a flush go to the next batch', async () => {
    let running = 0;
    let maxRunning = 0;
    const sizes: number[] = [];
    const c = new Coalescer<string, number>({ debounceMs: 1, maxWaitMs: 5 }, async (b) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      sizes.push(b.get('a')?.length ?? 0);
      await sleep(30);
      running--;
      return new Map();
    });
    const p1 = c.add('a', 1);
    await sleep(10); // first batch is flushing now
    const rest = [c.add('a', 2), c.add('a', 3)];
    await Promise.all([p1, ...rest]);
    expect(maxRunning).toBe(1);
    expect(sizes).toEqual([1, 2]);
  });
});
