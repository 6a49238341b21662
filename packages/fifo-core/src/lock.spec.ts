import { describe, expect, it } from 'vitest';
import { SharedLock } from './lock.ts';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe("SharedLock", () => {
  it('lets shared holders overlap but runs exclusive alone, after them', async () => {
    const lock = new SharedLock();
    const log: string[] = [];
    const a = lock.shared(async () => { log.push('a+'); await tick(20); log.push('a-'); });
    const b = lock.shared(async () => { log.push('b+'); await tick(10); log.push('b-'); });
    const x = lock.exclusive(async () => { log.push('x+'); await tick(10); log.push('x-'); });
    const c = lock.shared(async () => { log.push('c+'); log.push('c-'); });
    await Promise.all([a, b, x, c]);
    expect(log).toEqual(['a+', 'b+', 'b-', 'a-', 'x+', 'x-', 'c+', 'c-']);
  });
});

describe('SharedLock, exclusive holders', () => {
  it('run one after another in arrival order', async () => {
    const lock = new SharedLock();
    const log: number[] = [];
    await Promise.all([1, 2, 3].map((n) => lock.exclusive(async () => { log.push(n); await tick(5); log.push(-n); })));
    expect(log).toEqual([1, -1, 2, -2, 3, -3]);
  });
});
