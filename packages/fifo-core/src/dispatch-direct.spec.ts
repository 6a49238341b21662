import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KeyedDispatcher } from './dispatch-direct.ts';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('KeyedDispatcher', () => {
  it('never runs more than `concurrency` tasks at once', async () => {
    const d = new KeyedDispatcher(3);
    let running = 0;
    let peak = 0;
    for (let i = 0; i < 20; i++) {
      d.push(async () => {
        peak = Math.max(peak, ++running);
        await tick(1);
        running--;
      });
    }
    await d.idle();
    expect(peak).toBe(3);
    expect(d.size).toBe(0);
  });

  it('runs tasks of one key serially and in arrival order, other keys in parallel', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 6 }), async (keys, conc) => {
        const d = new KeyedDispatcher(conc);
        const seen = new Map<number, number[]>();
        const active = new Set<number>();
        let overlap = false;
        keys.forEach((k, i) =>
          d.push(async () => {
            if (active.has(k)) overlap = true;
            active.add(k);
            await tick(i % 3);
            seen.set(k, [...(seen.get(k) ?? []), i]);
            active.delete(k);
          }, String(k)),
        );
        await d.idle();
        expect(overlap).toBe(false);
        for (const [k, order] of seen) expect(order).toEqual(keys.flatMap((kk, i) => (kk === k ? [i] : [])));
      }),
      { numRuns: 30 },
    );
  });

  it('keeps going when a task fails', async () => {
    const d = new KeyedDispatcher(1);
    const done: number[] = [];
    d.push(async () => {
      throw new Error('boom');
    }, 'a');
    d.push(async () => {
      done.push(2);
    }, 'a');
    await d.idle();
    expect(done).toEqual([2]);
  });
});
