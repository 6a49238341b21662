// The worker's state and its two moves: sync one address (a doorbell) and
// reconcile everything (start, interval). Both read the blacklist, validate
// and allowlist each address, then tell the backend; the table is the truth.
import type { Logger } from 'pino';
import type { Pool } from 'mysql2/promise';
import { normaliseAddress, type Address } from './address.ts';
import { Allowlist } from './allowlist.ts';
import type { Backend, Ban } from './backend.ts';
import { RefusedAddressError } from './errors.ts';
import { ExpiryTimers } from './expiry.ts';
import { KeyedMutex, SharedExclusiveLock } from './lock.ts';
import { BlacklistStore, type BanRow } from './store.ts';

export interface FirewallOptions {
  allowCidr: boolean;
  allowlist: readonly string[];
}

export type SyncResult = 'banned' | 'unbanned' | 'expired' | 'refused-unban';

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
  private readonly perAddress = new KeyedMutex();
  readonly timers: ExpiryTimers;

  constructor(
    pool: Pool,
    readonly backend: Backend,
    private readonly o: FirewallOptions,
    private readonly log: Logger,
  ) {
    this.store = new BlacklistStore(pool);
    this.allow = new Allowlist(o.allowlist);
    this.timers = new ExpiryTimers((address) => {
      this.sync(address, this.log).catch((err) => this.log.error({ err, address }, 'expiry: sync failed (reconcile will retry)'));
    });
  }

  /** Validated, allowlist-checked kernel address; throws RefusedAddressError. */
  check(raw: string): Address {
    const a = normaliseAddress(raw, { allowCidr: this.o.allowCidr });
    this.allow.check(a);
    return a;
  }

  /** Make the kernel agree with the table about one address. */
  async sync(raw: string, log: Logger = this.log): Promise<SyncResult> {
    return this.perAddress.run(raw, () => this.lock.shared(() => this.syncNow(raw, log)));
  }

  private async syncNow(raw: string, log: Logger): Promise<SyncResult> {
    let row = await this.store.activeFor(raw);
    let expired = false;
    if (row && row.ttlMs !== null && row.ttlMs <= 0) {
      expired = (await this.store.expireDue(row.id)) > 0;
      row = undefined;
    }
    if (row) {
      const address = await this.checkRow(row, log);
      const ban = toBan(address, row);
      await this.backend.ban(ban);
      if (!row.applied) await this.store.markApplied([row.id]);
      this.timers.set(raw, row.ttlMs);
      log.info({ address: address.text, ttlSeconds: ban.ttlSeconds ?? null, backend: this.backend.name }, 'banned');
      return 'banned';
    }
    this.timers.clear(raw);
    let address: Address;
    try {
      address = this.check(raw);
    } catch {
      // Invalid or allowlisted, so never applied: nothing to take out of the kernel.
      log.debug({ address: raw.slice(0, 80) }, 'unban of a refused address: nothing to remove');
      return 'refused-unban';
    }
    await this.backend.unban(address);
    log.info({ address: address.text, backend: this.backend.name, reason: expired ? 'expired' : 'no active ban' }, 'unbanned');
    return expired ? 'expired' : 'unbanned';
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
