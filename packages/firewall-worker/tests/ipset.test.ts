// The default backend end to end: access_log inserts → trigger → blacklist →
// fifo_write → worker → ipset in a server namespace, checked with real TCP
// connections from a client namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { waitFor } from '@dbfifo/test-utils';
import { netnsUnavailable, CLI4, CLI6 } from './netns.ts';
import { createWorld, hit, setMembers, type World } from './harness.ts';

const skip = await netnsUnavailable();
if (skip) console.warn(`[firewall-worker] skipping namespace tests: ${skip}`);

describe.skipIf(skip)('ipset backend in a network namespace', () => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld('ipset', { FIREWALL_ROW_WAIT_MS: '500' });
  });
  afterAll(async () => {
    await w?.close();
  });

  const members4 = () => setMembers(w.net, 'dbfifo-ban-v4');
  const members6 = () => setMembers(w.net, 'dbfifo-ban-v6');

  it('drops an IPv4 address once it crosses the threshold, others still connect', async () => {
    expect(await w.net.connect(CLI4[0])).toBe(true);
    await hit(w.sql, CLI4[0], 4);
    expect(await members4()).toEqual([]); // below the threshold: nothing banned
    await hit(w.sql, CLI4[0], 1);
    await waitFor(async () => (await members4()).includes(CLI4[0]), { message: 'ban in the ipset' });
    expect(await w.net.connect(CLI4[0])).toBe(false);
    expect(await w.net.connect(CLI4[1])).toBe(true);
    const [rows] = await w.sql.query<RowDataPacket[]>('SELECT address, reason, applied_at IS NOT NULL AS applied FROM blacklist');
    expect(rows).toEqual([{ address: CLI4[0], reason: '5 hits in 60 s', applied: 1 }]);
  });

  it('bans once however many more hits arrive', async () => {
    await hit(w.sql, CLI4[0], 10);
    const [rows] = await w.sql.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM blacklist');
    expect(rows[0]?.n).toBe(1);
  });

  it('unban (deleting the row) restores the address at once', async () => {
    await w.sql.query('DELETE FROM blacklist WHERE address = ?', [CLI4[0]]);
    await waitFor(async () => !(await members4()).includes(CLI4[0]), { message: 'unban' });
    expect(await w.net.connect(CLI4[0])).toBe(true);
  });

  it('IPv6 likewise: ban at the threshold, the other address passes, unban by marking the row', async () => {
    expect(await w.net.connect(CLI6[1])).toBe(true); // reachable before the ban
    await hit(w.sql, CLI6[0], 5);
    await waitFor(async () => (await members6()).includes(CLI6[0]), { message: 'v6 ban' });
    expect(await w.net.connect(CLI6[0])).toBe(false);
    expect(await w.net.connect(CLI6[1])).toBe(true);
    await w.sql.query("UPDATE blacklist SET removed_at = NOW(3), removed_reason = 'unbanned' WHERE address = ?", [CLI6[0]]);
    await waitFor(async () => !(await members6()).includes(CLI6[0]), { message: 'v6 unban' });
    expect(await w.net.connect(CLI6[0])).toBe(true);
  });

  it('a manual ban with an expiry lifts itself, and the row says so', async () => {
    await w.sql.query('INSERT INTO blacklist (address, reason, expires_at) VALUES (?, ?, NOW(3) + INTERVAL 1.5 SECOND)', [CLI4[1], 'by hand']);
    await waitFor(async () => (await members4()).includes(CLI4[1]), { message: 'manual ban' });
    expect(await w.net.connect(CLI4[1])).toBe(false);
    await waitFor(async () => w.net.connect(CLI4[1], 0.3), { timeoutMs: 5000, message: 'expiry' });
    await waitFor(async () => {
      const [rows] = await w.sql.query<RowDataPacket[]>('SELECT removed_reason FROM blacklist WHERE address = ?', [CLI4[1]]);
      return rows[0]?.removed_reason === 'expired';
    }, { message: 'row marked expired' });
  });

  it('IPv6 likewise: a ban with an expiry lifts itself (kernel timeout), and the row says so', async () => {
    await w.sql.query('INSERT INTO blacklist (address, reason, expires_at) VALUES (?, ?, NOW(3) + INTERVAL 1.5 SECOND)', [CLI6[1], 'by hand']);
    await waitFor(async () => (await members6()).includes(CLI6[1]), { message: 'manual v6 ban' });
    expect(await w.net.connect(CLI6[1])).toBe(false);
    await waitFor(async () => w.net.connect(CLI6[1], 0.3), { timeoutMs: 5000, message: 'v6 expiry' });
    expect(await members6()).not.toContain(CLI6[1]);
    await waitFor(async () => {
      const [rows] = await w.sql.query<RowDataPacket[]>('SELECT removed_reason FROM blacklist WHERE address = ?', [CLI6[1]]);
      return rows[0]?.removed_reason === 'expired';
    }, { message: 'v6 row marked expired' });
  });

  it('reconcile restores a flushed set', async () => {
    await hit(w.sql, CLI4[0], 5); // new window? no: same window, so ban by hand
    await w.sql.query('INSERT IGNORE INTO blacklist (address, reason) VALUES (?, ?)', [CLI4[0], 'by hand']);
    await waitFor(async () => (await members4()).includes(CLI4[0]), { message: 'ban' });
    await w.net.inSrv('ipset', 'flush', 'dbfifo-ban-v4');
    expect(await w.net.connect(CLI4[0])).toBe(true);
    expect(await w.running.reconcileNow()).toBeGreaterThanOrEqual(1);
    expect(await members4()).toEqual([CLI4[0]]);
    expect(await w.net.connect(CLI4[0])).toBe(false);
  });

  it('injection strings and allowlisted addresses never reach the kernel; the worker keeps going', async () => {
    const bad = ['-j ACCEPT', '1.2.3.4; rm -rf /', '--flush', '127.0.0.1', '::1', '10.77.0.9', 'fd77::9', '::ffff:127.0.0.1'];
    const failed0 = w.running.metrics.failed;
    for (const a of bad) await w.sql.query('INSERT INTO blacklist (address, reason) VALUES (?, ?)', [a, 'hostile']);
    await waitFor(async () => {
      const [rows] = await w.sql.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM blacklist WHERE removed_reason = 'refused'");
      return rows[0]?.n === bad.length;
    }, { message: 'every hostile row refused' });
    await w.running.reconcileNow();
    const all = [...(await members4()), ...(await members6())];
    for (const a of ['1.2.3.4', '127.0.0.1', '::1', '10.77.0.9', 'fd77::9']) expect(all).not.toContain(a);
    const [notes] = await w.sql.query<RowDataPacket[]>("SELECT note FROM blacklist WHERE address = '-j ACCEPT'");
    expect(notes[0]?.note).toMatch(/^refused address "-j ACCEPT": is not an IPv4\/IPv6 address/);
    // A refusal is a handled outcome (one warning, the row closed), not a handler failure logged again as an error.
    expect(w.running.metrics.failed).toBe(failed0);
    // Still working: a new ban goes through.
    await w.sql.query('INSERT INTO blacklist (address, reason) VALUES (?, ?)', [CLI6[1], 'after the hostile rows']);
    await waitFor(async () => (await members6()).includes(CLI6[1]), { message: 'ban after refusals' });
  });

  it('an UPDATE that moves a ban to another address lifts the old one and bans the new one', async () => {
    expect(await members4()).toContain(CLI4[0]);
    await w.sql.query('UPDATE blacklist SET address = ? WHERE active_address = ?', [CLI4[1], CLI4[0]]);
    await waitFor(async () => {
      const now = await members4();
      return now.includes(CLI4[1]) && !now.includes(CLI4[0]);
    }, { message: 'ban moved' });
    expect(await w.net.connect(CLI4[0])).toBe(true);
    expect(await w.net.connect(CLI4[1])).toBe(false);
    await w.sql.query('DELETE FROM blacklist WHERE active_address = ?', [CLI4[1]]);
    await waitFor(async () => !(await members4()).includes(CLI4[1]), { message: 'moved ban lifted' });
  });

  it('10,000 bans (missed doorbells included) leave one rule per family', async () => {
    await w.doorbells(false); // doorbells go nowhere: the rows change silently
    await w.sql.query(
      `INSERT INTO blacklist (address, reason)
       SELECT CONCAT('198.18.', seq DIV 250, '.', seq MOD 250 + 1), 'bulk' FROM seq_0_to_7999`);
    await w.sql.query(
      `INSERT INTO blacklist (address, reason)
       SELECT CONCAT('2001:db8:1::', HEX(seq + 1)), 'bulk' FROM seq_0_to_1999`);
    await w.sql.query("INSERT INTO blacklist (address, reason) VALUES ('0.0.0.0/0 -j ACCEPT', 'missed and hostile')");
    await w.running.reconcileNow();
    const [hostile] = await w.sql.query<RowDataPacket[]>("SELECT removed_reason, applied_at FROM blacklist WHERE reason = 'missed and hostile'");
    expect(hostile).toEqual([{ removed_reason: 'refused', applied_at: null }]);
    const v4 = await members4();
    const v6 = await members6();
    expect(v4.length + v6.length).toBeGreaterThanOrEqual(10_000);
    const rules = (await w.net.inSrv('iptables', '-w', '-S', 'DBFIFO')).split('\n').filter((l) => l.startsWith('-A'));
    const rules6 = (await w.net.inSrv('ip6tables', '-w', '-S', 'DBFIFO')).split('\n').filter((l) => l.startsWith('-A'));
    expect(rules).toEqual(['-A DBFIFO -m set --match-set dbfifo-ban-v4 src -j DROP']);
    expect(rules6).toEqual(['-A DBFIFO -m set --match-set dbfifo-ban-v6 src -j DROP']);
    expect(await w.net.connect(CLI4[1])).toBe(true);
  });

  it('a ban whose transaction rolls back is never applied', async () => {
    await w.doorbells(true); // doorbells on again
    const before = w.running.metrics.rolledBack;
    await w.sql.beginTransaction();
    await w.sql.query('INSERT INTO blacklist (address, reason) VALUES (?, ?)', ['192.0.2.99', 'rolled back']);
    await new Promise((r) => setTimeout(r, 100)); // the doorbell has rung by now (last test: its catch-up reconcile must not run into the others)
    await w.sql.rollback();
    // The batch's locking read waited for the writer and found no row: counted as rolled back, nothing banned.
    await waitFor(() => w.running.metrics.rolledBack > before, { message: 'doorbell counted as rolled back' });
    expect(await members4()).not.toContain('192.0.2.99');
  });

  it('a failed kernel command is counted on /metrics, and the worker keeps going', async () => {
    const failed = async () => {
      const m = await w.running.registry.getSingleMetric('dbfifo_firewall_commands_total')!.get();
      return m.values.find((v) => v.labels.outcome === 'failed')?.value ?? 0;
    };
    const before = await failed();
    // The set disappears from under the worker (an operator, another tool): `ipset add` fails.
    await w.net.inSrv('iptables', '-w', '-F', 'DBFIFO');
    await w.net.inSrv('ipset', 'destroy', 'dbfifo-ban-v4');
    await w.sql.query('INSERT INTO blacklist (address, reason) VALUES (?, ?)', ['192.0.2.77', 'set missing']);
    await waitFor(async () => (await failed()) > before, { message: 'failure counted' });
    expect(await w.running.registry.metrics()).toMatch(/dbfifo_firewall_commands_total\{outcome="ok",worker="firewall-worker"\} [1-9]/);
    // Reconcile heals it: set, rule and the ban are back.
    await w.running.reconcileNow();
    expect(await members4()).toContain('192.0.2.77');
    expect(await w.net.inSrv('iptables', '-w', '-S', 'DBFIFO')).toContain('--match-set dbfifo-ban-v4 src');
  });
});
