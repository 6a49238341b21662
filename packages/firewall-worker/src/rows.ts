// Every SQL statement the worker runs against the blacklist. Remaining
// lifetimes are computed by the database (ttl_ms), so the worker's clock
// never has to agree with the server's.
import { readCommittedMany, type ReadCommittedOutcome } from '@dbfifo/fifo-core';
import type { Pool, RowDataPacket, ResultSetHeader } from 'mysql2/promise';

export interface BanRow {
  id: number;
  address: string;
  /** Milliseconds until expiry; null = no expiry. May be <= 0 for a ban not yet closed. */
  ttlMs: number | null;
  applied: boolean;
}

/** A row a doorbell named, as committed. */
export interface NamedRow {
  id: number;
  address: string;
}

const COLUMNS = `id, address, applied_at IS NOT NULL AS applied,
  IF(expires_at IS NULL, NULL, TIMESTAMPDIFF(MICROSECOND, NOW(3), expires_at) DIV 1000) AS ttl_ms`;

/** `IN (…)` lists are sent in chunks of this many. */
const CHUNK = 1000;

function toBan(r: RowDataPacket): BanRow {
  return { id: Number(r.id), address: String(r.address), ttlMs: r.ttl_ms === null ? null : Number(r.ttl_ms), applied: Boolean(r.applied) };
}

/**
 * How the column's collation compares addresses (case-insensitive, trailing
 * spaces ignored): `active_address IN (…)` matches '2001:DB8::1' to a row
 * written '2001:db8::1', so the answer is looked up the same way.
 */
export function sqlKey(address: string): string {
  return address.toLowerCase().replace(/ +$/, '');
}

export class BlacklistRows {
  constructor(private readonly pool: Pool) {}

  /**
   * The rows a batch of doorbells names, as committed: ONE locking read that
   * waits for every writer of the batch (the triggers ring before COMMIT).
   * Per id: committed (with its address now), absent (rolled back or
   * deleted), or timeout (the writer is still open after timeoutMs).
   */
  async committed(ids: readonly number[], o: { timeoutMs: number; signal?: AbortSignal }): Promise<Map<number, ReadCommittedOutcome<NamedRow>>> {
    const rows = await readCommittedMany<number, RowDataPacket>(this.pool, 'SELECT id, address FROM blacklist WHERE id IN (?)', ids, (r) => Number(r.id), o);
    const out = new Map<number, ReadCommittedOutcome<NamedRow>>();
    for (const [id, r] of rows) out.set(id, r.state === 'committed' ? { state: 'committed', row: { id, address: String(r.row.address) } } : r);
    return out;
  }

  /** The active (not removed) ban of each address, expired-but-open rows included, in one query (chunks of 1000), keyed by sqlKey(address). */
  async activeForMany(addresses: readonly string[]): Promise<Map<string, BanRow>> {
    const out = new Map<string, BanRow>();
    for (let i = 0; i < addresses.length; i += CHUNK) {
      const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT ${COLUMNS} FROM blacklist WHERE active_address IN (?)`, [addresses.slice(i, i + CHUNK)]);
      for (const r of rows) out.set(sqlKey(String(r.address)), toBan(r));
    }
    return out;
  }

  /** Every open ban that has not expired. */
  async allActive(): Promise<BanRow[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM blacklist WHERE removed_at IS NULL AND (expires_at IS NULL OR expires_at > NOW(3))`,
    );
    return rows.map(toBan);
  }

  /** Close bans whose expiry has passed; returns how many. */
  async expireDue(): Promise<number> {
    const [r] = await this.pool.query<ResultSetHeader>(
      `UPDATE blacklist SET removed_at = NOW(3), removed_reason = 'expired' WHERE removed_at IS NULL AND expires_at <= NOW(3)`,
    );
    return r.affectedRows;
  }

  /** Close these rows as expired if they still are open and due; returns the ids actually closed. */
  async expireIds(ids: readonly number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const [r] = await this.pool.query<ResultSetHeader>(
      "UPDATE blacklist SET removed_at = NOW(3), removed_reason = 'expired' WHERE removed_at IS NULL AND expires_at <= NOW(3) AND id IN (?)",
      [ids],
    );
    // All or most were closed; which ones exactly only matters for the log wording.
    return r.affectedRows === ids.length ? new Set(ids) : new Set();
  }

  async markApplied(ids: readonly number[]): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      await this.pool.query('UPDATE blacklist SET applied_at = NOW(3) WHERE applied_at IS NULL AND id IN (?)', [ids.slice(i, i + CHUNK)]);
    }
  }

  /** A ban the worker will never apply: closed, with the reason, so the table tells the truth. */
  async markRefused(id: number, note: string): Promise<void> {
    await this.pool.query(
      `UPDATE blacklist SET removed_at = NOW(3), removed_reason = 'refused', note = LEFT(?, 255) WHERE id = ? AND removed_at IS NULL`,
      [note, id],
    );
  }
}
