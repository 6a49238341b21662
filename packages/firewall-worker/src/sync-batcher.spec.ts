import { describe, expect, it } from 'vitest';
import { SyncBatcher, type GroupResult } from './sync-batcher.ts';

describe('SyncBatcher', () => {
  it('groups what arrives while a group runs, never runs two groups at once, and syncs a repeated key once per group', async () => {
    const groups: string[][] = [];
    let running = 0;
    let overlap = false;
    let release!: () => void;
    const b = new SyncBatcher<string>(async (keys) => {
      overlap ||= running > 0;
      running++;
      groups.push(keys);
      if (groups.length === 1) await new Promise<void>((r) => (release = r));
      running--;
      return new Map(keys.map((k) => [k, `ok ${k}`]));
    });
    const first = b.sync('a');
    await new Promise((r) => setTimeout(r, 5)); // group 1 = [a] is running
    const rest = ['b', 'a', 'c', 'b'].map((k) => b.sync(k));
    release();
    expect(await Promise.all([first, ...rest])).toEqual(['ok a', 'ok b', 'ok a', 'ok c', 'ok b']);
    expect(groups).toEqual([['a'], ['b', 'a', 'c']]);
    expect(overlap).toBe(false);
  });

  it('splits at maxBatch and hands each key its own error', async () => {
    const groups: string[][] = [];
    const b = new SyncBatcher<string>(async (keys) => {
      groups.push(keys);
      const out: GroupResult<string> = new Map();
      for (const k of keys) out.set(k, k === 'bad' ? new Error('no such set') : 'ok');
      return out;
    }, 2);
    const all = ['x', 'bad', 'y'].map((k) => b.sync(k).catch((e: Error) => e.message));
    expect(await Promise.all(all)).toEqual(['ok', 'no such set', 'ok']);
    expect(groups).toEqual([['x', 'bad'], ['y']]);
  });
});
