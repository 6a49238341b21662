import { describe, expect, it } from 'vitest';
import { KeyedMutex, SharedExclusiveLock } from './lock.ts';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('SharedExclusiveLock', () => {
  it('lets shared holders overlap but runs exclusive alone, after them', async () => {
    const lock = new SharedExclusiveLock();
    const log: string[] = [];
    const a = lock.shared(async () => { log.push('a+'); await tick(20); log.push('a-'); });
    const b = lock.shared(async () => { log.push('b+'); await tick(10); log.push('b-'); });
    const x = lock.exclusive(async () => { log.push('x+'); await tick(10); log.push('x-'); });
    const c = lock.shared(async () => { log.push('c+'); log.push('c-'); });
    await Promise.all([a, b, x, c]);
    expect(log).toEqual(['a+', 'b+', 'b-', 'a-', 'x+', 'x-', 'c+', 'c-']);
  });
});

describe('KeyedMutex', () => {
  it('serialises one key, keeps going after a failure, and leaves other keys alone', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const one = m.run('k', async () => { log.push('1+'); await tick(10); log.push('1-'); throw new Error('boom'); });
    const two = m.run('k', async () => { log.push('2+'); log.push('2-'); return 2; });
    const other = m.run('j', async () => { log.push('j'); });
    await expect(one).rejects.toThrow('boom');
    expect(await two).toBe(2);
    await other;
    expect(log).toEqual(['1+', 'j', '1-', '2+', '2-']);
  });
});
