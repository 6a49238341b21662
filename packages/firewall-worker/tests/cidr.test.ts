// CIDR bans (FIREWALL_ALLOW_CIDR=true): the ipset backend switches to
// hash:net, and a network ban drops every address in it. Backend level, no
// database: the rows-to-kernel path is covered by ipset.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dbfifo/fifo-core';
import { loadFirewallSettings } from '../src/config.ts';
import { normaliseAddress } from '../src/kernel/address.ts';
import type { Backend } from '../src/kernel/backend.ts';
import { createBackend } from '../src/kernel/create-backend.ts';
import { netnsUnavailable, TestNet, CLI4, CLI6 } from './netns.ts';

const skip = await netnsUnavailable();
if (skip) console.warn(`[firewall-worker] skipping namespace tests: ${skip}`);

describe.skipIf(skip)('CIDR bans with the ipset backend', () => {
  let net: TestNet;
  let backend: Backend;
  beforeAll(async () => {
    net = new TestNet('cidr');
    await net.create();
    const settings = loadFirewallSettings({ FIREWALL_NETNS: net.srv, FIREWALL_ALLOW_CIDR: 'true' });
    backend = createBackend(settings, createLogger('firewall-cidr-test', 'warn'));
    await backend.setup();
    await backend.setup(); // idempotent: a second start changes nothing
  });
  afterAll(async () => {
    await net?.remove();
  });

  it('uses hash:net sets and one rule per family, however often setup runs', async () => {
    expect(await net.inSrv('ipset', 'list', '-t', 'dbfifo-ban-v4')).toMatch(/Type: hash:net/);
    const rules = (await net.inSrv('iptables', '-w', '-S')).split('\n').filter((l) => l.startsWith('-A'));
    expect(rules).toEqual(['-A INPUT -j DBFIFO', '-A DBFIFO -m set --match-set dbfifo-ban-v4 src -j DROP']);
  });

  it('a network ban drops every address in it; replacing the set lifts it', async () => {
    const cidr = { allowCidr: true };
    await backend.ban({ address: normaliseAddress('10.77.0.2/31', cidr) });
    await backend.ban({ address: normaliseAddress('fd77::2/127', cidr) });
    expect((await backend.list()).sort()).toEqual(['10.77.0.2/31', 'fd77::2/127']);
    for (const a of [...CLI4, ...CLI6]) expect(await net.connect(a, 0.5)).toBe(false);
    await backend.replaceAll([]);
    expect(await backend.list()).toEqual([]);
    for (const a of [...CLI4, ...CLI6]) expect(await net.connect(a)).toBe(true);
  });
});
