import { createLogger } from '@dbfifo/fifo-core';
import { describe, expect, it } from 'vitest';
import { Breaker } from './breaker.ts';

const log = createLogger('breaker-test', 'silent');

function breaker(probe: () => Promise<unknown>) {
  let now = 1000;
  const b = new Breaker({ failures: 3, cooldownMs: 100, cooldownMaxMs: 300, probe, isOutage: (e) => (e as { outage?: boolean }).outage === true, log, now: () => now });
  return { b, advance: (ms: number) => (now += ms) };
}

describe('Breaker', () => {
  it('opens after `failures` outage signs in a row; an answer in between starts the count over', () => {
    const { b } = breaker(async () => undefined);
    b.failed();
    b.failed();
    b.answered();
    b.failed();
    b.failed();
    expect(b.allow()).toBe(true);
    b.failed();
    expect(b.isOpen).toBe(true);
    expect(b.allow()).toBe(false);
  });

  it('probes once the cool-down is over: a failed probe doubles the cool-down (up to the cap), an answer closes it', async () => {
    let up = false;
    let probes = 0;
    const { b, advance } = breaker(async () => {
      probes++;
      if (!up) throw Object.assign(new Error('503'), { outage: true });
    });
    for (let i = 0; i < 3; i++) b.failed();
    expect(b.allow()).toBe(false);
    expect(probes).toBe(0); // still cooling down: no request at all
    advance(100);
    expect(await b.probe()).toBe(false);
    advance(150);
    expect(b.allow()).toBe(false);
    await Promise.resolve();
    expect(probes).toBe(1); // 200 ms now: not yet
    advance(50);
    expect(await b.probe()).toBe(false);
    advance(300); // capped at 300, not 400
    up = true;
    expect(await b.probe()).toBe(true);
    expect(probes).toBe(3);
    expect(b.allow()).toBe(true);
  });

  it('a probe the provider answers with a refusal (not an outage sign) closes it too', async () => {
    const { b, advance } = breaker(async () => {
      throw Object.assign(new Error('401'), { outage: false });
    });
    for (let i = 0; i < 3; i++) b.failed();
    advance(100);
    expect(await b.waitClosed()).toBe(true);
  });

  it('probes one at a time', async () => {
    let probes = 0;
    const { b, advance } = breaker(async () => void probes++);
    for (let i = 0; i < 3; i++) b.failed();
    advance(100);
    await Promise.all([b.probe(), b.probe(), b.waitClosed()]);
    expect(probes).toBe(1);
  });
});
