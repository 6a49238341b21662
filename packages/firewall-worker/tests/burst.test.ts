// Bursts of doorbells are applied in batches: a batch costs one kernel
// command however many addresses it carries, all N addresses end up in the
// kernel with far fewer firewall commands than doorbells, several changes of
// one address inside a burst end in the state the table ends in, and expiry
// timers that fire together share a command.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { createLogger, type Message } from '@dbfifo/fifo-core';
import { connect, waitFor } from '@dbfifo/test-utils';
import { parseBlacklistLine, type BlacklistLine } from '../src/line.ts';
import { netnsUnavailable } from './netns.ts';
import { createWorld, setMembers, type World } from './harness.ts';

const skip = await netnsUnavailable();
if (skip) console.warn(`[firewall-worker] skipping burst tests: ${skip}`);

const N = 500;
const address = (i: number) => `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`;

/** A doorbell line as the generated insert trigger writes it, through the worker's parser. */
function doorbell(id: number, addr: string): Message<BlacklistLine> {
  const raw = JSON.stringify({ table: 'blacklist', op: 'insert', id, address: addr, expires_at: null, removed_at: null });
  const m = { raw, json: JSON.parse(raw), body: undefined as unknown, receivedAt: new Date(), id: `test:${id}`, pipe: '/test', attempt: 1, merged: 1 };
  return { ...m, body: parseBlacklistLine(m) };
}

for (const backend of ['ipset', 'iptables'] as const) {
  describe.skipIf(skip)(`a burst of doorbells (${backend})`, () => {
    let w: World;
    beforeAll(async () => {
      w = await createWorld(`burst-${backend.slice(0, 3)}`, { FIREWALL_BACKEND: backend });
    });
    afterAll(async () => {
      await w?.close();
    });

    const inKernel = async (): Promise<string[]> => {
      if (backend === 'ipset') return [...(await setMembers(w.net, 'dbfifo-ban-v4')), ...(await setMembers(w.net, 'dbfifo-ban-v6'))];
      const rules = `${await w.net.inSrv('iptables', '-w', '-S', 'DBFIFO')}${await w.net.inSrv('ip6tables', '-w', '-S', 'DBFIFO')}`;
      return [...rules.matchAll(/^-A DBFIFO -s (\S+?)(?:\/(?:32|128))? -j/gm)].map((m) => m[1]!);
    };

    it('one batch of 300 doorbells is one kernel command (ipset restore; iptables: one listing and one iptables-restore per family)', async () => {
      await w.running.reconcileNow(); // the start's reconcile is over: only the batch's commands are counted below
      await w.doorbells(false); // the runtime must not see these rows: the batch below is handed over by hand
      const [r] = await w.sql.query<RowDataPacket[]>(
        "INSERT INTO blacklist (address, reason) SELECT CONCAT('198.51.100.', seq + 1), 'one batch' FROM seq_0_to_249 RETURNING id, address",
      );
      const [r6] = await w.sql.query<RowDataPacket[]>(
        "INSERT INTO blacklist (address, reason) SELECT CONCAT('2001:db8:5::', LOWER(HEX(seq + 1))), 'one batch' FROM seq_0_to_49 RETURNING id, address",
      );
      await w.doorbells(true);
      const rows = [...r, ...r6].map((x) => doorbell(Number(x.id), String(x.address)));
      const commands0 = w.worker.stats.commands;
      const h = { log: createLogger('firewall-burst-test', 'silent'), signal: new AbortController().signal, config: w.config, registry: w.running.registry };
      const outcomes = await w.worker.handleBatch(rows, h);
      expect(outcomes?.filter((o) => o !== undefined) ?? []).toEqual([]);
      const commands = w.worker.stats.commands - commands0;
      expect(commands).toBe(backend === 'ipset' ? 1 : 4);
      const banned = new Set(await inKernel());
      expect(rows.map((m) => m.body.addresses[0]!).filter((a) => !banned.has(a))).toEqual([]);
      const [applied] = await w.sql.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM blacklist WHERE reason = 'one batch' AND applied_at IS NOT NULL");
      expect(applied[0]?.n).toBe(300);
      await w.sql.query("DELETE FROM blacklist WHERE reason = 'one batch'");
      await waitFor(async () => !(await inKernel()).some((a) => a.startsWith('198.51.100.') || a.startsWith('2001:db8:5::')), { message: 'batch lifted' });
    });

    it(`${N} doorbells: every address banned, each batch one kernel command`, async () => {
      // The previous case's unban doorbells must be over before counting starts.
      await waitFor(() => w.running.metrics.pending === 0 && w.running.metrics.inFlight === 0, { message: 'earlier doorbells settled' });
      const commands0 = w.worker.stats.commands;
      const batches0 = w.running.metrics.batches;
      const failed0 = w.running.metrics.failed;
      await w.sql.query(`INSERT INTO blacklist (address, reason) SELECT CONCAT('198.18.', seq DIV 250, '.', seq MOD 250 + 1), 'burst' FROM seq_0_to_${N - 1}`);
      const missing = async () => {
        const banned = new Set(await inKernel());
        return Array.from({ length: N }, (_, i) => address(i)).filter((a) => !banned.has(a));
      };
      await waitFor(async () => (await missing()).length === 0, { timeoutMs: 30_000, message: `all ${N} addresses in the kernel` }).catch(() => {});
      expect(await missing()).toEqual([]);
      await waitFor(() => w.running.metrics.pending === 0 && w.running.metrics.inFlight === 0, { message: 'the burst settled' });
      const [rows] = await w.sql.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM blacklist WHERE reason = 'burst' AND applied_at IS NOT NULL");
      expect(rows[0]?.n).toBe(N);
      const commands = w.worker.stats.commands - commands0;
      const batches = w.running.metrics.batches - batches0;
      console.log(`[firewall-worker] ${backend}: ${N} doorbells → ${batches} batches, ${commands} firewall commands`);
      expect(commands).toBeLessThanOrEqual(backend === 'ipset' ? batches : 2 * batches);
      expect(commands).toBeLessThan(N / 10);
      expect(w.running.metrics.failed - failed0).toBe(0);
    });

    it('ban → unban → ban of one address (and ban → unban of another) inside a burst end as the table does', async () => {
      const received0 = w.running.metrics.received;
      const other = await connect(w.db.url);
      try {
        const noise = other.query(`INSERT INTO blacklist (address, reason) SELECT CONCAT('198.19.0.', seq + 1), 'noise' FROM seq_0_to_99`);
        const x = '203.0.113.7';
        const y = '2001:db8:7::7';
        await w.sql.query('INSERT INTO blacklist (address, reason) VALUES (?, ?), (?, ?)', [x, 'first', y, 'first']);
        await w.sql.query('DELETE FROM blacklist WHERE address IN (?, ?)', [x, y]);
        await w.sql.query('INSERT INTO blacklist (address, reason) VALUES (?, ?)', [x, 'again']);
        await noise;
        // 105 lines rang; doorbells of one address merge while pending, so wait until all are taken and settled.
        await waitFor(() => w.running.metrics.received >= received0 + 105 && w.running.metrics.pending === 0 && w.running.metrics.inFlight === 0, { timeoutMs: 30_000, message: 'every doorbell settled' });
        await waitFor(async () => {
          const now = await inKernel();
          return now.includes(x) && !now.includes(y);
        }, { message: 'x banned, y not' });
        await waitFor(async () => {
          const [r] = await w.sql.query<RowDataPacket[]>('SELECT reason, applied_at IS NOT NULL AS applied FROM blacklist WHERE address = ?', [x]);
          return r.length === 1 && r[0]?.reason === 'again' && r[0]?.applied === 1;
        }, { message: 'x: only the second ban, marked applied' });
        expect(await inKernel()).not.toContain(y);
      } finally {
        await other.end();
      }
    });

    it('expiry timers that fire together share a kernel command', async () => {
      await w.sql.query(
        "INSERT INTO blacklist (address, reason, expires_at) SELECT CONCAT('198.20.0.', seq + 1), 'short', NOW(3) + INTERVAL 1.5 SECOND FROM seq_0_to_49",
      );
      await waitFor(async () => (await inKernel()).filter((a) => a.startsWith('198.20.0.')).length === 50, { message: '50 short bans applied' });
      const commands0 = w.worker.stats.commands;
      await waitFor(async () => {
        const [r] = await w.sql.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM blacklist WHERE reason = 'short' AND removed_reason = 'expired'");
        return r[0]?.n === 50;
      }, { timeoutMs: 5000, message: '50 rows closed as expired' });
      await waitFor(async () => !(await inKernel()).some((a) => a.startsWith('198.20.0.')), { timeoutMs: 5000, message: 'expired bans gone from the kernel' });
      await waitFor(() => w.running.metrics.pending === 0 && w.running.metrics.inFlight === 0, { message: 'doorbells of the expiry settled' });
      // One sync for the 50 timers, plus the doorbells their UPDATE rang (unbans that find nothing left to remove),
      // in as many batches as a loaded machine splits them into: far fewer commands than expiries either way.
      const commands = w.worker.stats.commands - commands0;
      expect(commands).toBeLessThan(25);
    });
  });
}
