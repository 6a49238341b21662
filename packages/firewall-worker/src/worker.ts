// firewall-worker as a fifo-core WorkerDefinition: a doorbell names a
// blacklist row (or an address); the handler syncs that address, reconcile
// syncs all of them. Refused addresses are PermanentErrors: never retried.
import { waitForRow, createPool, type WorkerDefinition, type Helpers } from '@dbfifo/fifo-core';
import type { Pool } from 'mysql2/promise';
import { createBackend, type CommandStats } from './backends.ts';
import type { FirewallConfig } from './config.ts';
import { parseDoorbell, type Doorbell } from './doorbell.ts';
import { Firewall } from './firewall.ts';

export interface FirewallWorker extends WorkerDefinition<FirewallConfig, Doorbell> {
  /** The live state after start() (tests and the benchmark look inside). */
  readonly firewall: Firewall | undefined;
  readonly stats: CommandStats;
}

export function createFirewallWorker(): FirewallWorker {
  let pool: Pool | undefined;
  let fw: Firewall | undefined;
  const stats: CommandStats = { commands: 0, failures: 0 };
  const need = (): Firewall => {
    if (!fw) throw new Error('firewall worker used before start()');
    return fw;
  };

  return {
    name: 'firewall',
    get firewall() {
      return fw;
    },
    stats,

    parse: (message) => parseDoorbell(message),

    // One address at a time: two doorbells for one address never race.
    key: (message) => message.body.address ?? `id:${message.body.id}`,

    async start(h: Helpers<FirewallConfig>) {
      const f = h.config.firewall;
      pool = createPool(h.config.db, { connectionLimit: 4 });
      const backend = createBackend(f, h.log, stats);
      fw = new Firewall(pool, backend, { allowCidr: f.allowCidr, allowlist: f.allowlist }, h.log);
      await backend.setup();
      h.log.info({ backend: backend.name, netns: f.netns ?? null, chain: f.chain, allowlist: f.allowlist }, 'firewall ready');
    },

    async handle(message, h) {
      const firewall = need();
      const bell = message.body;
      h.log.debug({ doorbell: bell }, 'doorbell');
      let address = bell.address;
      if (bell.id !== undefined && bell.op !== 'delete') {
        // The trigger rang before COMMIT: wait for the row; none means rolled back.
        const row = await waitForRow(() => firewall.store.byId(bell.id!), { timeoutMs: h.config.firewall.rowWaitMs, signal: h.signal });
        if (!row) {
          h.log.info({ id: bell.id }, 'blacklist row never became visible (rolled back): nothing to do');
          return;
        }
        // The row is the truth; an update that changed the address also rings for the old one.
        if (address !== undefined && address !== row.address) await firewall.sync(address, h.log);
        address = row.address;
      }
      if (address === undefined) return;
      await firewall.sync(address, h.log);
    },

    async reconcile(h) {
      const r = await need().reconcile(h.log);
      return { ...r, commands: stats.commands, commandFailures: stats.failures };
    },

    async stop(h) {
      fw?.timers.clearAll();
      await pool?.end();
      h.log.info('firewall worker stopped (bans stay in the kernel)');
    },
  };
}

export const firewallWorker = createFirewallWorker();
