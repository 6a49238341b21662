// Bursts of doorbells are applied in groups: all N addresses end up in the
// kernel with far fewer firewall commands than doorbells, and several changes
// of one address inside a burst end in the state the table ends in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { connect, waitFor } from '@dbfifo/test-utils';
import { netnsUnavailable } from './netns.ts';
import { createWorld, setMembers, type World } from './harness.ts';

const skip = await netnsUnavailable();
if (skip) console.warn(`[firewall-worker] skipping burst tests: ${skip}`);

const N = 500;

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
    const settled = (before: number, n: number) =>
      waitFor(() => w.running.metrics.handled + w.running.metrics.failed >= before + n, { timeoutMs: 30_000, message: `${n} doorbells handled` });

    it(`${N} doorbells: every address banned, with far fewer firewall commands than doorbells`, async () => {
      const commands0 = w.worker.stats.commands;
      const handled0 = w.running.metrics.handled + w.running.metrics.failed;
      await w.sql.query(
        `INSERT INTO blacklist (address, reason) SELECT CONCAT('198.18.', seq DIV 250, '.', seq MOD 250 + 1), 'burst' FROM seq_0_to_${N - 1}`,
      );
      await settled(handled0, N);
      const banned = new Set(await inKernel());
      const missing = Array.from({ length: N }, (_, i) => `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`).filter((a) => !banned.has(a));
      expect(missing).toEqual([]);
      const [rows] = await w.sql.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM blacklist WHERE reason = 'burst' AND applied_at IS NOT NULL");
      expect(rows[0]?.n).toBe(N);
      const commands = w.worker.stats.commands - commands0;
      console.log(`[firewall-worker] ${backend}: ${N} doorbells → ${commands} firewall commands, ${w.worker.firewall!.batcher.stats.groups} sync groups (largest ${w.worker.firewall!.batcher.stats.largest})`);
      expect(commands).toBeLessThan(N / 10);
      expect(w.running.metrics.failed).toBe(0);
    });

    it('ban → unban → ban of one address (and ban → unban of another) inside a burst end as the table does', async () => {
      const handled0 = w.running.metrics.handled + w.running.metrics.failed;
      const other = await connect(w.db.url);
      try {
        const noise = other.query(
          `INSERT INTO blacklist (address, reason) SELECT CONCAT('198.19.0.', seq + 1), 'noise' FROM seq_0_to_99`,
        );
        const x = '203.0.113.7';
        const y = '2001:db8:7::7';
        await w.sql.query('INSERT INTO blacklist (address, reason) VALUES (?, ?), (?, ?)', [x, 'first', y, 'first']);
        await w.sql.query('DELETE FROM blacklist WHERE address IN (?, ?)', [x, y]);
        await w.sql.query('INSERT INTO blacklist (address, reason) VALUES (?, ?)', [x, 'again']);
        await noise;
        await settled(handled0, 100 + 2 + 2 + 1);
        const now = await inKernel();
        expect(now).toContain(x);
        expect(now).not.toContain(y);
        const [rows] = await w.sql.query<RowDataPacket[]>('SELECT reason, applied_at IS NOT NULL AS applied FROM blacklist WHERE address = ?', [x]);
        expect(rows).toEqual([{ reason: 'again', applied: 1 }]);
      } finally {
        await other.end();
      }
    });
  });
}
