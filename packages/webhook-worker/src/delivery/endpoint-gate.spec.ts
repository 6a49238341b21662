import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EndpointGate } from './endpoint-gate.ts';

describe('EndpointGate', () => {
  it('runs at most `concurrency` at once, in arrival order', async () => {
    const gate = new EndpointGate({ concurrency: 2, ratePerSec: 0, burst: 1 });
    const signal = new AbortController().signal;
    let now = 0;
    let most = 0;
    const started: number[] = [];
    await Promise.all(Array.from({ length: 6 }, (_, i) => gate.run(async () => {
      started.push(i);
      most = Math.max(most, ++now);
      await sleep(10);
      now--;
    }, signal)));
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('spaces starts by the rate, and lets a waiting caller go when its signal aborts', async () => {
    const gate = new EndpointGate({ concurrency: 10, ratePerSec: 50, burst: 1 });
    const at: number[] = [];
    await Promise.all(Array.from({ length: 4 }, () => gate.run(async () => void at.push(performance.now()), new AbortController().signal)));
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(19);

    const busy = new EndpointGate({ concurrency: 1, ratePerSec: 0, burst: 1 });
    const hold = busy.run(() => sleep(50), new AbortController().signal);
    const ac = new AbortController();
    const waiting = busy.run(async () => 'ran', ac.signal);
    ac.abort();
    await expect(waiting).rejects.toThrow();
    await hold;
    expect(busy.inFlight).toBe(0);
  });
});
