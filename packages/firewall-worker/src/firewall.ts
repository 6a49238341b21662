// The worker's state and its two moves: sync some addresses (batches of
// doorbells, expiry timers) and reconcile everything (start, catch-up). Both
// read the blacklist, validate and allowlist each address, then tell the
// backend in one command; the table is the truth.
//
// Syncs are group-committed (fifo-core's Batcher): the addresses of every
// doorbell batch whose rows have committed meanwhile, and of expiry timers,
// go into the next sync, and syncs run one at a time: each reads the table
// and then writes the kernel, so two at once could finish in the other order
// and leave the older answer in the kernel. A reconcile takes the lock alone
// (syncs share it), so no sync lands between its read and its swap. Only
// that part is serialised: a batch's commit-wait (its slow part) is not.
//
// A kernel command is a process (fork + exec: a few ms of CPU, taken from
// the database the writers are waiting on; the ipset backend's doorbells go
// to one long-lived session instead, but each sync still reads and writes
// the table). A doorbell after a quiet moment
// is applied at once; after a sync of several addresses (a burst is under
// way) the next one waits FIREWALL_BURST_GAP_MS, so doorbells gather
// meanwhile and a burst costs one command per gap, not one per command time.
import { setTimeout as sleep } from 'node:timers/promises';
import { Batcher, SharedLock, type Logger } from '@dbfifo/fifo-core';
import type { Pool } from 'mysql2/promise';
import { RefusedAddressError } from './errors.ts';
import { normaliseAddress, type Address } from './kernel/address.ts';
import { Allowlist } from './kernel/allowlist.ts';
import type { Backend, Ban, Changes } from './kernel/backend.ts';
import { ExpiryTimers } from './kernel/expiry.ts';
import { BlacklistRows, sqlKey, type BanRow } from './rows.ts';

export interface FirewallOptions {
  allowCidr: boolean;
  allowlist: readonly string[];
  /** Most addresses in one sync, and expiry timers gathered into one (DBFIFO_BATCH_MAX). */
  batchMax: number;
  /** After a sync of several addresses, the next waits this long (FIREWALL_BURST_GAP_MS). */
  burstGapMs: number;
}

/** 'refused': the row's address is invalid or allowlisted; the row was closed with the reason (a handled outcome, logged once). */
export type SyncResult = 'banned' | 'unbanned' | 'expired' | 'refused' | 'refused-unban';

/** Per address as given: what the sync did, or the error its kernel change failed with. */
export type SyncResults = Map<string, SyncResult | Error>;

/** What one reconcile pass changed (fifo-core's ReconcileReport, with the firewall's details). */
export interface ReconcileCounts {
  fixed: number;
  added: number;
  removed: number;
  expired: number;
  refused: number;
  active: number;
}

/** Expiry timers due within this long of each other share one sync (one kernel command). */
const EXPIRY_GATHER_MS = 10;

export class Firewall {
  readonly rows: BlacklistRows;
  private readonly allow: Allowlist;
  private readonly lock = new SharedLock();
  readonly timers: ExpiryTimers;
  private readonly syncs: Batcher<string, true, SyncResult>;
  private readonly expiries: Batcher<string, true>;

  constructor(
    pool: Pool,
    readonly backend: Backend,
    private readonly o: FirewallOptions,
    private readonly log: Logger,
  ) {
    this.rows = new BlacklistRows(pool);
    this.allow = new Allowlist(o.allowlist);
    this.syncs = new Batcher(async (batch) => {
      const results = await this.lock.shared(() => this.syncNow([...batch.keys()]));
      // A burst is under way: let the next sync gather for a while (its callers have their answer only then, the kernel has it already).
      if (batch.size > 1 && o.burstGapMs > 0) await sleep(o.burstGapMs);
      return results;
    }, { max: o.batchMax });
    this.expiries = new Batcher(async (due) => {
      try {
        const results = await this.sync([...due.keys()]);
        for (const [address, r] of results) if (r instanceof Error) this.log.error({ err: r, address }, 'expiry: sync failed (reconcile will retry)');
      } catch (err) {
        this.log.error({ err, addresses: due.size }, 'expiry: sync failed (reconcile will retry)');
      }
    }, { quietMs: EXPIRY_GATHER_MS, maxWaitMs: 10 * EXPIRY_GATHER_MS, max: o.batchMax });
    this.timers = new ExpiryTimers((address) => void this.expiries.add(address, true));
  }

  /** Validated, allowlist-checked kernel address; throws RefusedAddressError. */
  check(raw: string): Address {
    const a = normaliseAddress(raw, { allowCidr: this.o.allowCidr });
    this.allow.check(a);
    return a;
  }

  /**
   * Make the kernel agree with the table about these addresses, in the next
   * sync: one read of the active bans of its addresses, one kernel command
   * for every ban and unban, one UPDATE of applied_at. The table is read
   * then, so whatever order the doorbells came in, the kernel ends as the
   * table is.
   */
  async sync(raws: readonly string[]): Promise<SyncResults> {
    const unique = [...new Set(raws)];
    const settled = await Promise.all(unique.map((raw) => this.syncs.add(raw, true).then((r) => r ?? new Error(`the sync gave no answer for ${raw.slice(0, 80)}`), (e: unknown) => toError(e))));
    return new Map(unique.map((raw, i) => [raw, settled[i]!]));
  }

  private async syncNow(raws: string[]): Promise<SyncResults> {
    const log = this.log;
    const out: SyncResults = new Map();
    const rows = await this.rows.activeForMany(raws);
    const due = [...rows.values()].filter((r) => r.ttlMs !== null && r.ttlMs <= 0);
    const expired = await this.rows.expireIds(due.map((r) => r.id));
    const dueIdOf = new Map(due.map((r) => [sqlKey(r.address), r.id]));
    for (const k of dueIdOf.keys()) rows.delete(k);
    // Canonical text → the change; a ban wins over an unban of another spelling of the same host.
    const bans = new Map<string, { ban: Ban; raws: string[]; row: BanRow }>();
    const unbans = new Map<string, { address: Address; raws: string[] }>();
    for (const raw of raws) {
      const row = rows.get(sqlKey(raw));
      if (row) {
        const address = await this.checkRow(row, log).catch((err: unknown) => err as Error);
        if (address instanceof Error) {
          out.set(raw, address instanceof RefusedAddressError ? 'refused' : address);
          continue;
        }
        const prev = bans.get(address.text);
        if (!prev || longer(row.ttlMs, prev.row.ttlMs)) bans.set(address.text, { ban: toBan(address, row), raws: [...(prev?.raws ?? []), raw], row });
        else prev.raws.push(raw);
        continue;
      }
      this.timers.clear(raw);
      let address: Address;
      try {
        address = this.check(raw);
      } catch {
        // Invalid or allowlisted, so never applied: nothing to take out of the kernel.
        log.debug({ address: raw.slice(0, 80) }, 'unban of a refused address: nothing to remove');
        out.set(raw, 'refused-unban');
        continue;
      }
      const u = unbans.get(address.text);
      if (u) u.raws.push(raw);
      else unbans.set(address.text, { address, raws: [raw] });
    }
    for (const [text, u] of unbans) {
      if (!bans.has(text)) continue;
      for (const raw of u.raws) out.set(raw, 'banned');
      unbans.delete(text);
    }
    const changes = { ban: [...bans.values()].map((b) => b.ban), unban: [...unbans.values()].map((u) => u.address) };
    const failed = await this.applyChanges(changes);
    const applied: number[] = [];
    for (const [text, b] of bans) {
      const err = failed.get(text);
      for (const raw of b.raws) out.set(raw, err ?? 'banned');
      if (err) continue;
      if (!b.row.applied) applied.push(b.row.id);
      for (const raw of b.raws) this.timers.set(raw, b.row.ttlMs);
      log.info({ address: text, ttlSeconds: b.ban.ttlSeconds ?? null, backend: this.backend.name }, 'banned');
    }
    for (const [text, u] of unbans) {
      const err = failed.get(text);
      for (const raw of u.raws) {
        const dueId = dueIdOf.get(sqlKey(raw));
        out.set(raw, err ?? (dueId !== undefined && expired.has(dueId) ? 'expired' : 'unbanned'));
      }
      if (!err) log.info({ address: text, backend: this.backend.name, reason: out.get(u.raws[0]!) === 'expired' ? 'expired' : 'no active ban' }, 'unbanned');
    }
    await this.rows.markApplied(applied);
    if (raws.length > 1) log.debug({ addresses: raws.length, bans: changes.ban.length, unbans: changes.unban.length, failed: failed.size }, 'batch synced');
    return out;
  }

  /** All changes in one backend call; if that fails, address by address so each gets its own error. */
  private async applyChanges(c: Changes): Promise<Map<string, Error>> {
    const failed = new Map<string, Error>();
    if (c.ban.length + c.unban.length === 0) return failed;
    try {
      await this.backend.apply(c);
      return failed;
    } catch (err) {
      if (c.ban.length + c.unban.length === 1) {
        failed.set((c.ban[0]?.address ?? c.unban[0]!).text, err as Error);
        return failed;
      }
      this.log.warn({ err: (err as Error).message, changes: c.ban.length + c.unban.length }, 'batched firewall change failed: applying one by one');
    }
    for (const b of c.ban) await this.backend.apply({ ban: [b], unban: [] }).catch((e: Error) => failed.set(b.address.text, e));
    for (const a of c.unban) await this.backend.apply({ ban: [], unban: [a] }).catch((e: Error) => failed.set(a.text, e));
    return failed;
  }

  /** Bring the kernel to exactly the active rows, in one command per family at most. */
  async reconcile(log: Logger = this.log): Promise<ReconcileCounts> {
    return this.lock.exclusive(async () => {
      const expired = await this.rows.expireDue();
      const rows = await this.rows.allActive();
      const byText = new Map<string, { ban: Ban; row: BanRow }>();
      let refused = 0;
      const acceptedIds: number[] = [];
      for (const row of rows) {
        let address: Address;
        try {
          address = await this.checkRow(row, log);
        } catch {
          refused++;
          continue;
        }
        acceptedIds.push(row.id);
        const prev = byText.get(address.text);
        // Two spellings of one host: the longer ban wins.
        if (!prev || longer(row.ttlMs, prev.row.ttlMs)) byText.set(address.text, { ban: toBan(address, row), row });
      }
      const wanted = [...byText.values()];
      const { added, removed } = await this.backend.replaceAll(wanted.map((w) => w.ban));
      const accepted = new Set(acceptedIds);
      await this.rows.markApplied(rows.filter((r) => !r.applied && accepted.has(r.id)).map((r) => r.id));
      this.timers.clearAll();
      for (const r of rows) if (accepted.has(r.id)) this.timers.set(r.address, r.ttlMs);
      const result = { fixed: added + removed + expired + refused, added, removed, expired, refused, active: wanted.length };
      log.info({ ...result, backend: this.backend.name }, 'reconciled');
      return result;
    });
  }

  /** Stop the expiry timers and let the syncs under way finish (shutdown). */
  async stop(): Promise<void> {
    this.timers.clearAll();
    await this.expiries.drain();
    await this.syncs.drain();
    this.backend.close?.();
  }

  /** The row's address, or RefusedAddressError after closing the row with the reason. */
  private async checkRow(row: BanRow, log: Logger): Promise<Address> {
    try {
      return this.check(row.address);
    } catch (err) {
      if (!(err instanceof RefusedAddressError)) throw err;
      log.warn({ id: row.id, address: row.address.slice(0, 80), refusal: err.refusal }, err.message);
      await this.rows.markRefused(row.id, err.message);
      throw err;
    }
  }
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function toBan(address: Address, row: BanRow): Ban {
  return row.ttlMs === null ? { address } : { address, ttlSeconds: row.ttlMs / 1000 };
}

function longer(a: number | null, b: number | null): boolean {
  return a === null ? b !== null : b !== null && a > b;
}
