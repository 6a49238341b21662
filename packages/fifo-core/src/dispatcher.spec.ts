import { describe, expect, it } from 'vitest';
import type { Message } from './contract.ts';
import { Dispatcher } from './dispatcher.ts';
import { PendingSet, type PendingEntry } from './pending.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let seq = 0;
const msg = (raw: string): Message<string> => ({ raw, json: undefined, body: raw, receivedAt: new Date(), id: `t:${++seq}`, pipe: '/p', attempt: 1, merged: 1 });

function setup(o: { slots: number; batchMax: number; lingerMs: number; runMs?: number }) {
  const pending = new PendingSet<string>({ max: 1000 });
  const batches: string[][] = [];
  let running = 0;
  let peak = 0;
  const d = new Dispatcher<string>({
    pending,
    slots: o.slots,
    batchMax: o.batchMax,
    lingerMs: o.lingerMs,
    run: async (entries: PendingEntry<string>[]) => {
      peak = Math.max(peak, ++running);
      batches.push(entries.map((e) => e.message.raw));
      await sleep(o.runMs ?? 5);
      running--;
      for (const e of entries) pending.finish(e);
    },
    onError: (e) => {
      throw e;
    },
  });
  const add = (raws: string[], key?: (r: string) => string) => {
    for (const r of raws) pending.add(msg(r), key?.(r));
    d.kick();
  };
  return { d, pending, batches, add, peak: () => peak };
}

describe('Dispatcher', () => {
  it('runs at most `slots` batches of at most `batchMax`, and what arrives meanwhile gathers into the next batch', async () => {
    const { d, batches, add, peak } = setup({ slots: 2, batchMax: 3, lingerMs: 0, runMs: 20 });
    add(['1', '2', '3', '4', '5', '6', '7']);
    await sleep(5);
    add(['8', '9']);
    await d.idle();
    expect(batches.flat().sort()).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(batches.every((b) => b.length <= 3)).toBe(true);
    expect(peak()).toBe(2);
    expect(batches.slice(0, 2)).toEqual([['1', '2', '3'], ['4', '5', '6']]);
  });

  it('lingers up to lingerMs for a batch to fill, but not once it is full', async () => {
    const { d, batches, add } = setup({ slots: 1, batchMax: 3, lingerMs: 60 });
    const t0 = Date.now();
    add(['a']);
    await sleep(20);
    add(['b']);
    await d.idle();
    expect(batches).toEqual([['a', 'b']]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
    const t1 = Date.now();
    add(['c', 'd', 'e']);
    await d.idle();
    expect(batches[1]).toEqual(['c', 'd', 'e']);
    expect(Date.now() - t1).toBeLessThan(50);
  });

  it('drain() stops lingering and idle() resolves once nothing is ready or running', async () => {
    const { d, batches, add } = setup({ slots: 1, batchMax: 10, lingerMs: 10_000 });
    add(['x']);
    d.drain();
    await d.idle();
    expect(batches).toEqual([['x']]);
  });

  it('wakes up for a retry when its time comes', async () => {
    const pending = new PendingSet<string>({ max: 10 });
    const runs: number[] = [];
    const d = new Dispatcher<string>({
      pending,
      slots: 1,
      batchMax: 1,
      lingerMs: 0,
      run: async ([e]) => {
        runs.push(Date.now());
        if (runs.length === 1) pending.retry({ ...e!, attempts: 1 }, Date.now() + 40);
        else pending.finish(e!);
      },
      onError: (e) => {
        throw e;
      },
    });
    pending.add(msg('r'), 'r');
    d.kick();
    while (runs.length < 2) await sleep(5);
    expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(35);
  });
});
