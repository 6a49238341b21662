// Every SQL statement the worker runs against the blacklist. Remaining
// lifetimes are computed by the database (ttl_ms), so the worker's clock
// never has to agree with the server's.
import type { Pool, RowDataPacket, ResultSetHeader } from 'mysql2/promise';

export interface BanRow {
  id: number;
  address: string;
  /** Milliseconds until expiry; null = no expiry. May be <= 0 for a ban not yet closed. */
  ttlMs: number | null;
  applied: boolean;
}

const COLUMNS = `id, address, applied_at IS NOT NULL AS applied,
  IF(expires_at IS NULL, NULL, TIMESTAMPDIFF(MICROSECOND, NOW(3), expires_at) DIV 1000) AS ttl_ms`;

function toBan(r: RowDataPacket): BanRow {
  return { id: Number(r.id), address: String(r.address), ttlMs: r.ttl_ms === null ? null : Number(r.ttl_ms), applied: Boolean(r.applied) };
}

export interface RowState {
  id: number;
  address: string;
  active: boolean;
  /** As the server prints it, to compare with the doorbell's copy. */
  expiresAt: string | null;
}

/**
 * How the column's collation compares addresses (case-insensitive, trailing
 * spaces ignored): `active_address IN (…)` matches '2001:DB8::1' to a row
 * written '2001:db8::1', so the answer is looked up the same way.
 */
export function sqlKey(address: string): string {
  return address.toLowerCase().replace(/ +$/, '');
}

export class BlacklistStore {
  constructor(private readonly pool: Pool) {}

  /** The rows doorbells name, active or not, in one query (chunks of 1000): those visible now, by id (absent: not visible / rolled back / deleted). */
  async byIds(ids: readonly number[]): Promise<Map<number, RowState>> {
    const out = new Map<number, RowState>();
    for (let i = 0; i < ids.length; i += 1000) {
      const [rows] = await this.pool.query<RowDataPacket[]>(
        'SELECT id, address, removed_at IS NULL AS active, CAST(expires_at AS CHAR) AS expires_at FROM blacklist WHERE id IN (?)',
        [ids.slice(i, i + 1000)],
      );
      for (const r of rows) out.set(Number(r.id), { id: Number(r.id), address: String(r.address), active: Boolean(r.active), expiresAt: r.expires_at === null ? null : String(r.expires_at) });
    }
    return out;
  }

  /** The active (not removed) ban of each address, expired-but-open rows included, in one query (chunks of 1000), keyed by sqlKey(address). */
  async activeForMany(addresses: readonly string[]): Promise<Map<string, BanRow>> {
    const out = new Map<string, BanRow>();
    for (let i = 0; i < addresses.length; i += 1000) {
      const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT ${COLUMNS} FROM blacklist WHERE active_address IN (?)`, [addresses.slice(i, i + 1000)]);
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
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      await this.pool.query('UPDATE blacklist SET applied_at = NOW(3) WHERE applied_at IS NULL AND id IN (?)', [chunk]);
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
