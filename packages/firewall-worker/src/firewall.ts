// The worker's state and its two moves: sync one address (a doorbell) and
// reconcile everything (start, interval). Both read the blacklist, validate
// and allowlist each address, then tell the backend; the table is the truth.
import type { Logger } from '@dbfifo/fifo-core';
import type { Pool } from 'mysql2/promise';
import { normaliseAddress, type Address } from './address.ts';
import { Allowlist } from './allowlist.ts';
import type { Backend, Ban, Changes } from './backend.ts';
import { RefusedAddressError } from './errors.ts';
import { ExpiryTimers } from './expiry.ts';
import { SharedExclusiveLock } from './lock.ts';
import { BlacklistStore, sqlKey, type BanRow } from './store.ts';
import { SyncBatcher, type GroupResult } from './sync-batcher.ts';

export interface FirewallOptions {
  allowCidr: boolean;
  allowlist: readonly string[];
  /** Most addresses one sync group carries (default 1000). */
  maxBatch?: number;
  /** Wait this long before an idle group starts, to gather more (default 0 = next tick). */
  batchWindowMs?: number;
}

/** 'refused': the row's address is invalid or allowlisted; the row was closed with the reason (a handled outcome, logged once). */
export type SyncResult = 'banned' | 'unbanned' | 'expired' | 'refused' | 'refused-unban';

export interface ReconcileResult {
  fixed: number;
  added: number;
  removed: number;
  expired: number;
  refused: number;
  active: number;
}

export class Firewall {
  readonly store: BlacklistStore;
  private readonly allow: Allowlist;
  private readonly lock = new SharedExclusiveLock();
  readonly timers: ExpiryTimers;
  readonly batcher: SyncBatcher<SyncResult>;

  constructor(
    pool: Pool,
    readonly backend: Backend,
    private readonly o: FirewallOptions,
    private readonly log: Logger,
  ) {
    this.store = new BlacklistStore(pool);
    this.allow = new Allowlist(o.allowlist);
    // Groups run one at a time, which also keeps two syncs of one address in order.
    this.batcher = new SyncBatcher((raws) => this.syncGroup(raws), o.maxBatch ?? 1000, o.batchWindowMs ?? 0);
    this.timers = new ExpiryTimers((address) => {
      this.sync(address).catch((err) => this.log.error({ err, address }, 'expiry: sync failed (reconcile will retry)'));
    });
  }

  /** Validated, allowlist-checked kernel address; throws RefusedAddressError. */
  check(raw: string): Address {
    const a = normaliseAddress(raw, { allowCidr: this.o.allowCidr });
    this.allow.check(a);
    return a;
  }

  /**
   * Make the kernel agree with the table about one address. Concurrent calls
   * are grouped (SyncBatcher): one read, one kernel command, one UPDATE for
   * the whole group.
   */
  async sync(raw: string): Promise<SyncResult> {
    return this.batcher.sync(raw);
  }

  /** One group: the active rows of all addresses in one query, all kernel changes in one command. */
  private async syncGroup(raws: string[]): Promise<GroupResult<SyncResult>> {
    return this.lock.shared(async () => {
      const log = this.log;
      const out: GroupResult<SyncResult> = new Map();
      const rows = await this.store.activeForMany(raws);
      const due = [...rows.values()].filter((r) => r.ttlMs !== null && r.ttlMs <= 0);
      const expired = await this.store.expireIds(due.map((r) => r.id));
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
      await this.store.markApplied(applied);
      if (raws.length > 1) log.debug({ addresses: raws.length, bans: changes.ban.length, unbans: changes.unban.length, failed: failed.size }, 'sync group applied');
      return out;
    });
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
      this.log.warn({ err: (err as Error).message, changes: c.ban.length + c.unban.length }, 'grouped firewall change failed: applying one by one');
    }
    for (const b of c.ban) await this.backend.apply({ ban: [b], unban: [] }).catch((e: Error) => failed.set(b.address.text, e));
    for (const a of c.unban) await this.backend.apply({ ban: [], unban: [a] }).catch((e: Error) => failed.set(a.text, e));
    return failed;
  }

  /** Bring the kernel to exactly the active rows, in one batch. */
  async reconcile(log: Logger = this.log): Promise<ReconcileResult> {
    return this.lock.exclusive(async () => {
      const expired = await this.store.expireDue();
      const rows = await this.store.allActive();
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
      await this.store.markApplied(rows.filter((r) => !r.applied && accepted.has(r.id)).map((r) => r.id));
      this.timers.clearAll();
      for (const r of rows) if (accepted.has(r.id)) this.timers.set(r.address, r.ttlMs);
      const result = { fixed: added + removed + expired + refused, added, removed, expired, refused, active: wanted.length };
      log.info({ ...result, backend: this.backend.name }, 'reconciled');
      return result;
    });
  }

  /** The row's address, or RefusedAddressError after closing the row with the reason. */
  private async checkRow(row: BanRow, log: Logger): Promise<Address> {
    try {
      return this.check(row.address);
    } catch (err) {
      if (!(err instanceof RefusedAddressError)) throw err;
      log.warn({ id: row.id, address: row.address.slice(0, 80), refusal: err.refusal }, err.message);
      await this.store.markRefused(row.id, err.message);
      throw err;
    }
  }
}

function toBan(address: Address, row: BanRow): Ban {
  return row.ttlMs === null ? { address } : { address, ttlSeconds: row.ttlMs / 1000 };
}

function longer(a: number | null, b: number | null): boolean {
  return a === null ? b !== null : b !== null && a > b;
}
