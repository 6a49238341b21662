import { describe, expect, it } from 'vitest';
import { RowWaiter } from './row-waiter.ts';
import type { RowState } from './store.ts';

const row = (id: number): RowState => ({ id, address: `192.0.2.${id}`, active: true, expiresAt: null });

describe('RowWaiter', () => {
  it('answers every waiting doorbell with one read per round, until each row shows up or its time is up', async () => {
    const reads: number[][] = [];
    const visible = new Set<number>([1, 2]);
    const w = new RowWaiter(async (ids) => {
      reads.push([...ids]);
      return new Map(ids.filter((i) => visible.has(i)).map((i) => [i, row(i)]));
    });
    const found = (r: RowState | undefined) => r;
    const waits = [1, 2, 3, 4].map((id) => w.wait(id, found, { timeoutMs: id === 4 ? 30 : 2000 }));
    setTimeout(() => visible.add(3), 10); // committed a little later
    const [a, b, c, d] = await Promise.all(waits);
    expect([a?.id, b?.id, c?.id, d]).toEqual([1, 2, 3, undefined]);
    expect(reads[0]).toEqual([1, 2, 3, 4]); // the first round reads all four at once
    expect(reads.every((r) => !r.includes(1) || r === reads[0])).toBe(true); // a settled doorbell is not read again
  });

  it('a failed read fails the doorbells that were waiting on it', async () => {
    const w = new RowWaiter(async () => {
      throw new Error('connection lost');
    });
    await expect(w.wait(1, (r) => r, { timeoutMs: 100 })).rejects.toThrow('connection lost');
  });
});
