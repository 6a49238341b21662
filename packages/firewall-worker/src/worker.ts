// firewall-worker as a fifo-core WorkerDefinition. A doorbell names a
// blacklist row (and its address) or, as a bare line, an address; a batch of
// them costs one commit-wait for all their rows (one locking read), one read
// of the active bans of their addresses, ONE kernel command (`ipset restore`,
// or `iptables-restore` per family) and one UPDATE of applied_at. Reconcile
// makes the kernel hold exactly the active rows. A refused address is a
// handled outcome (its row is closed with the reason and one warning is
// logged), not a handler failure; an address whose kernel change failed
// fails the messages that named it, which the runtime retries.
import { Counter, createPool, RolledBackError, type BatchWorkerDefinition, type Helpers, type Message, type Registry } from '@dbfifo/fifo-core';
import type { Pool } from 'mysql2/promise';
import type { FirewallConfig } from './config.ts';
import { Firewall } from './firewall.ts';
import { createBackend, type CommandStats } from './kernel/create-backend.ts';
import { blacklistKey, mergeBlacklistLines, parseBlacklistLine, type BlacklistLine } from './line.ts';

export interface FirewallWorker extends BatchWorkerDefinition<FirewallConfig, BlacklistLine> {
  /** The live state after start() (tests and the benchmark look inside). */
  readonly firewall: Firewall | undefined;
  /** Every ipset/iptables command run so far, and how many failed. */
  readonly stats: CommandStats;
}

/**
 * Runtime defaults of this worker (DBFIFO_* variables still win): a batch's
 * commit-wait holds a pool connection, so a few run at once while the kernel
 * changes, which are serialised anyway, gather what arrived meanwhile; a
 * kernel command takes a thousand addresses as cheaply as one.
 */
export const FIREWALL_DEFAULTS = { concurrency: 4, batchMax: 1000 } as const;

export function createFirewallWorker(): FirewallWorker {
  let pool: Pool | undefined;
  let fw: Firewall | undefined;
  const stats: CommandStats = { commands: 0, failures: 0 };
  const need = (): Firewall => {
    if (!fw) throw new Error('firewall worker used before start()');
    return fw;
  };

  return {
    name: 'firewall-worker',
    defaults: FIREWALL_DEFAULTS,
    get firewall() {
      return fw;
    },
    stats,

    parse: (message) => parseBlacklistLine(message),
    key: (message) => blacklistKey(message.body),
    merge: (older, newer) => ({ ...newer, body: mergeBlacklistLines(older.body, newer.body) }),

    async start(h: Helpers<FirewallConfig>) {
      const f = h.config.firewall;
      // One connection per batch waiting for its rows' COMMIT, one for the kernel sync, one for expiry/reconcile.
      pool = createPool(h.config.db, { connectionLimit: h.config.runtime.concurrency + 2 });
      const backend = createBackend(f, h.log, stats);
      countCommands(h.registry, stats);
      fw = new Firewall(pool, backend, { allowCidr: f.allowCidr, allowlist: f.allowlist, batchMax: h.config.runtime.batchMax, burstGapMs: f.burstGapMs }, h.log);
      await backend.setup();
      h.log.info({ backend: backend.name, netns: f.netns ?? null, chain: f.chain, allowlist: f.allowlist }, 'firewall ready');
    },

    async handleBatch(messages, h) {
      return handleBlacklistBatch(need(), messages, h);
    },

    async reconcile(h) {
      const r = await need().reconcile(h.log);
      return { ...r, commands: stats.commands, commandFailures: stats.failures };
    },

    async stop(h) {
      await fw?.stop();
      await pool?.end();
      h.log.info('firewall worker stopped (bans stay in the kernel)');
    },
  };
}

export const firewallWorker = createFirewallWorker();

/** One batch: wait for every named row's COMMIT at once, then sync every address it touches in one go. */
async function handleBlacklistBatch(fw: Firewall, messages: readonly Message<BlacklistLine>[], h: Helpers<FirewallConfig>): Promise<(Error | undefined)[]> {
  const waitMs = h.config.firewall.rowWaitMs;
  const ids = [...new Set(messages.flatMap((m) => m.body.ids))];
  const rows = ids.length ? await fw.rows.committed(ids, { timeoutMs: waitMs, signal: h.signal }) : new Map<number, never>();
  // Per message: the addresses to sync, or why it cannot be handled now.
  const plans = messages.map((m): string[] | Error => {
    const line = m.body;
    const addresses = [...line.addresses];
    let absent = 0;
    for (const id of line.ids) {
      const r = rows.get(id);
      if (r?.state === 'committed') addresses.push(r.row.address);
      else if (r?.state === 'absent') absent++;
      else if (r?.state === 'aborted') return new Error(`shutting down before blacklist row ${id} committed`);
      else return new Error(`blacklist row ${id} still uncommitted after ${waitMs} ms (FIREWALL_ROW_WAIT_MS): tried again later`);
    }
    // An insert whose row never committed: nothing to ban, nothing was banned.
    if (line.op === 'insert' && line.ids.length > 0 && absent === line.ids.length) return new RolledBackError(`blacklist row ${line.ids.join(', ')} rolled back`);
    return addresses;
  });
  const all = plans.flatMap((p) => (p instanceof Error ? [] : p));
  const results = await fw.sync(all);
  return plans.map((p) => {
    if (p instanceof Error) return p;
    for (const a of p) {
      const r = results.get(a);
      if (r instanceof Error) return r;
    }
    return undefined;
  });
}

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
