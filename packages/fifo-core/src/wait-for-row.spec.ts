import { describe, expect, it } from 'vitest';
import { waitForRow } from './wait-for-row.ts';

describe('waitForRow', () => {
  it('re-reads with growing delays until the row appears', async () => {
    const at: number[] = [];
    const t0 = Date.now();
    const row = await waitForRow(async () => {
      at.push(Date.now() - t0);
      return at.length === 5 ? { id: 1 } : undefined;
    });
    expect(row).toEqual({ id: 1 });
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(gaps[3]!).toBeGreaterThan(gaps[0]!); // backoff grows (1, 2, 4, 8 ms)
  });

  it('gives up after timeoutMs with undefined (rolled back)', async () => {
    let reads = 0;
    const t0 = Date.now();
    expect(await waitForRow(async () => (reads++, undefined), { timeoutMs: 100 })).toBeUndefined();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
    expect(reads).toBeGreaterThan(2);
  });

  it('stops waiting when the signal aborts', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const t0 = Date.now();
    expect(await waitForRow(async () => undefined, { timeoutMs: 5000, signal: ac.signal })).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
