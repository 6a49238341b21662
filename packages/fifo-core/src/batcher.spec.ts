import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Batcher', () => {
  it('flushes what was added in one tick together, and runs flushes one at a time', async () => {
    const flushes: string[][] = [];
    let running = 0;
    let overlap = false;
    const b = new Batcher<string, number, string>(async (batch) => {
      if (running++ > 0) overlap = true;
      flushes.push([...batch.keys()]);
      await sleep(10);
      running--;
      return new Map([...batch].map(([k, v]) => [k, `${k}:${v.join(',')}`]));
    });
    const first = [b.add('a', 1), b.add('b', 2), b.add('a', 3)];
    await sleep(1);
    const second = [b.add('c', 4)];
    expect(await Promise.all(first)).toEqual(['a:1,3', 'b:2', 'a:1,3']);
    expect(await Promise.all(second)).toEqual(['c:4']);
    expect(flushes).toEqual([['a', 'b'], ['c']]);
    expect(overlap).toBe(false);
  });

  it('fails only the keys the flush failed, and every key when it throws', async () => {
    const b = new Batcher<string, number>(async (batch) => (batch.has('bad') ? new Map([['bad', new Error('no')]]) : undefined));
    const ok = b.add('good', 1);
    const bad = b.add('bad', 2);
    await expect(ok).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow('no');
    const boom = new Batcher<string, number>(async () => {
      throw new Error('down');
    });
    await expect(Promise.all([boom.add('x', 1), boom.add('y', 2)])).rejects.toThrow('down');
  });

  it('debounces by quietMs up to maxWaitMs, and splits at max', async () => {
    const sizes: number[] = [];
    const b = new Batcher<number, number>(async (batch) => void sizes.push(batch.size), { quietMs: 30, maxWaitMs: 80, max: 5 });
    const t0 = Date.now();
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 4; i++) {
      all.push(b.add(i, i));
      await sleep(20);
    }
    await Promise.all(all);
    expect(sizes).toEqual([4]);
    expect(Date.now() - t0).toBeLessThan(200);
    await Promise.all(Array.from({ length: 12 }, (_, i) => b.add(100 + i, i)));
    expect(sizes.slice(1)).toEqual([5, 5, 2]);
  });
});
