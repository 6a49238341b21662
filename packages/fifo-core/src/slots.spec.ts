import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Slots } from './slots.ts';

describe('Slots', () => {
  it('lets at most `size` holders run at once, and serves waiters in arrival order', async () => {
    const slots = new Slots(3);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(Array.from({ length: 10 }, async (_, i) => {
      const release = await slots.take();
      order.push(i);
      running++;
      most = Math.max(most, running);
      await sleep(5);
      running--;
      release();
    }));
    expect(most).toBe(3);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('a waiter gives up on abort and its place goes to the next one', async () => {
    const slots = new Slots(1);
    const release = await slots.take();
    const ac = new AbortController();
    const gaveUp = slots.take(ac.signal);
    const next = slots.take();
    ac.abort();
    await expect(gaveUp).rejects.toThrow();
    release();
    release(); // twice is harmless
    const r = await next;
    r();
    const again = await slots.take();
    again();
  });
});
