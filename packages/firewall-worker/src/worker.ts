// firewall-worker as a fifo-core WorkerDefinition: a doorbell names a
// blacklist row (or an address); the handler syncs that address, reconcile
// syncs all of them. A refused address is a handled outcome (its row is
// closed with the reason and one warning is logged), not a handler failure.
// Doorbells arriving in a burst share their work: one row read for every
// doorbell waiting on its COMMIT (RowWaiter), then one table read, one
// kernel command and one UPDATE per group of addresses (Firewall.sync).
import { Counter, createPool, type Helpers, type Registry, type SingleWorkerDefinition } from '@dbfifo/fifo-core';
import type { Pool } from 'mysql2/promise';
import { createBackend, type CommandStats } from './backends.ts';
import type { FirewallConfig } from './config.ts';
import { parseDoorbell, type Doorbell } from './doorbell.ts';
import { Firewall } from './firewall.ts';
import { RowWaiter } from './row-waiter.ts';

export interface FirewallWorker extends SingleWorkerDefinition<FirewallConfig, Doorbell> {
  /** The live state after start() (tests and the benchmark look inside). */
  readonly firewall: Firewall | undefined;
  readonly stats: CommandStats;
}

/** Delay of the reconcile that follows a doorbell whose row was not visible. */
const CATCH_UP_MS = 3000;

export function createFirewallWorker(): FirewallWorker {
  let pool: Pool | undefined;
  let fw: Firewall | undefined;
  let waiter: RowWaiter | undefined;
  let catchUp: NodeJS.Timeout | undefined;
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
      countCommands(h.registry, stats);
      fw = new Firewall(pool, backend, { allowCidr: f.allowCidr, allowlist: f.allowlist, maxBatch: f.maxBatch, batchWindowMs: f.batchWindowMs }, h.log);
      const store = fw.store;
      waiter = new RowWaiter((ids) => store.byIds(ids));
      await backend.setup();
      h.log.info({ backend: backend.name, netns: f.netns ?? null, chain: f.chain, allowlist: f.allowlist }, 'firewall ready');
    },

    async handle(message, h) {
      const firewall = need();
      const bell = message.body;
      h.log.debug({ doorbell: bell }, 'doorbell');
      if (bell.id === undefined) {
        if (bell.address !== undefined) await firewall.sync(bell.address);
        return;
      }
      // The trigger rang before COMMIT: wait until the table shows what the
      // doorbell announces, or give up after FIREWALL_ROW_WAIT_MS.
      const id = bell.id;
      const settled = await waiter!.wait(id, (row) => {
        if (bell.op === 'delete') return row ? undefined : ('gone' as const);
        if (bell.op === 'moved') return row && row.address === bell.address ? undefined : ('moved' as const);
        if (!row) return undefined;
        if (bell.state && (row.active !== bell.state.active || row.expiresAt !== bell.state.expiresAt)) return undefined;
        return row;
      }, { timeoutMs: h.config.firewall.rowWaitMs, signal: h.signal });
      if (settled === undefined && bell.op === 'insert') {
        // Rolled back, or a transaction still open (a bulk INSERT … SELECT):
        // one catch-up reconcile a little later covers the second case.
        h.log.info({ id }, 'blacklist row not visible (rolled back or still uncommitted): catch-up reconcile scheduled');
        catchUp ??= setTimeout(() => {
          catchUp = undefined;
          firewall.reconcile(h.log).catch((err) => h.log.error({ err }, 'catch-up reconcile failed'));
        }, CATCH_UP_MS).unref();
        return;
      }
      if (settled === undefined) h.log.info({ id, op: bell.op }, 'change not visible (rolled back?): syncing with what the table says');
      // The row is the truth for its address; the doorbell's address only for delete/moved.
      const address = typeof settled === 'object' ? settled.address : bell.address;
      if (address !== undefined) await firewall.sync(address);
    },

    async reconcile(h) {
      const r = await need().reconcile(h.log);
      return { ...r, commands: stats.commands, commandFailures: stats.failures };
    },

    async stop(h) {
      if (catchUp) clearTimeout(catchUp);
      fw?.timers.clearAll();
      await pool?.end();
      h.log.info('firewall worker stopped (bans stay in the kernel)');
    },
  };
}

export const firewallWorker = createFirewallWorker();

/**
 * dbfifo_firewall_commands_total{outcome}: every ipset/iptables command, so an
 * alert can fire on failures from reconcile, expiry timers and setup too, not
 * only on failed doorbells. A failing -C/-S probe is an answer, counted ok.
 */
function countCommands(registry: Registry, stats: CommandStats): void {
  if (registry.getSingleMetric('dbfifo_firewall_commands_total')) return;
  new Counter({
    name: 'dbfifo_firewall_commands_total',
    help: 'Firewall commands run, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ outcome: 'ok' }, stats.commands - stats.failures);
      this.inc({ outcome: 'failed' }, stats.failures);
    },
  });
}
