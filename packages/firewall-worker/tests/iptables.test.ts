// The plain-iptables backend (hosts without ipset): one rule per address,
// check before add, expiry by the worker's timer, reconcile in one
// iptables-restore per family.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { waitFor } from '@dbfifo/test-utils';
import { netnsUnavailable, CLI4, CLI6 } from './netns.ts';
import { createWorld, hit, type World } from './harness.ts';

const skip = await netnsUnavailable();
if (skip) console.warn(`[firewall-worker] skipping namespace tests: ${skip}`);

describe.skipIf(skip)('iptables backend in a network namespace', () => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld('ipt', { FIREWALL_BACKEND: 'iptables', FIREWALL_TARGET: 'REJECT' });
  });
  afterAll(async () => {
    await w?.close();
  });

  const rules = async (tool = 'iptables') =>
    (await w.net.inSrv(tool, '-w', '-S', 'DBFIFO')).split('\n').filter((l) => l.startsWith('-A'));

  it('bans IPv4 and IPv6 at the threshold with one rule each, however often it is synced', async () => {
    await hit(w.sql, CLI4[0], 5);
    await hit(w.sql, CLI6[0], 5);
    await waitFor(async () => (await rules()).length === 1 && (await rules('ip6tables')).length === 1, { message: 'rules' });
    expect((await w.worker.firewall!.sync([CLI4[0]])).get(CLI4[0])).toBe('banned'); // doorbells ringing again
    expect((await w.worker.firewall!.sync([CLI4[0]])).get(CLI4[0])).toBe('banned');
    expect(await rules()).toEqual([`-A DBFIFO -s ${CLI4[0]}/32 -j REJECT --reject-with icmp-port-unreachable`]);
    expect(await rules('ip6tables')).toEqual([`-A DBFIFO -s ${CLI6[0]}/128 -j REJECT --reject-with icmp6-port-unreachable`]);
    expect(await w.net.connect(CLI4[0])).toBe(false);
    expect(await w.net.connect(CLI6[0])).toBe(false);
    expect(await w.net.connect(CLI4[1])).toBe(true);
    expect(await w.net.connect(CLI6[1])).toBe(true);
  });

  it('reconcile puts back a flushed chain in one batch', async () => {
    await w.net.inSrv('iptables', '-w', '-F', 'DBFIFO');
    expect(await w.net.connect(CLI4[0])).toBe(true);
    await w.running.reconcileNow();
    expect(await rules()).toHaveLength(1);
    expect(await w.net.connect(CLI4[0])).toBe(false);
  });

  it('unban removes the rule at once', async () => {
    await w.sql.query('DELETE FROM blacklist WHERE address IN (?, ?)', [CLI4[0], CLI6[0]]);
    await waitFor(async () => (await rules()).length === 0 && (await rules('ip6tables')).length === 0, { message: 'rules gone' });
    expect(await w.net.connect(CLI4[0])).toBe(true);
    expect(await w.net.connect(CLI6[0])).toBe(true);
  });

  it('an unban whose transaction commits late still unbans (the doorbell rang before COMMIT)', async () => {
    await w.sql.query('INSERT INTO blacklist (address, reason) VALUES (?, ?)', [CLI4[1], 'by hand']);
    await waitFor(async () => (await rules()).length === 1, { message: 'rule' });
    await w.sql.beginTransaction();
    await w.sql.query('DELETE FROM blacklist WHERE address = ?', [CLI4[1]]);
    await new Promise((r) => setTimeout(r, 300)); // the worker has the doorbell; the row is still there
    await w.sql.commit();
    await waitFor(async () => (await rules()).length === 0, { message: 'rule gone after commit' });
    expect(await w.net.connect(CLI4[1])).toBe(true);
  });

  it('expiry removes the rule (no kernel timeout here: the worker does it)', async () => {
    await w.sql.query('INSERT INTO blacklist (address, reason, expires_at) VALUES (?, ?, NOW(3) + INTERVAL 2 SECOND)', [CLI6[1], 'short']);
    await waitFor(async () => (await rules('ip6tables')).length === 1, { message: 'v6 rule' });
    expect(await w.net.connect(CLI6[1])).toBe(false);
    await waitFor(async () => (await rules('ip6tables')).length === 0, { timeoutMs: 5000, message: 'rule expired' });
    expect(await w.net.connect(CLI6[1])).toBe(true);
    const [rows] = await w.sql.query<RowDataPacket[]>('SELECT removed_reason FROM blacklist WHERE address = ?', [CLI6[1]]);
    expect(rows[0]?.removed_reason).toBe('expired');
  });
});
