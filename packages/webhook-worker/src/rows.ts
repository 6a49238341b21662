// All SQL of webhook-worker: the users' tables (read only: their primary keys,
// rows as committed, keyset pages for reconcile), the ledger (what each row's
// receiver has, and the retries and dead letters of what it does not), and the
// named locks that keep one row's deliveries in order across processes.
// Nothing else in this package runs SQL.
import { readCommittedMany, type Queryable, type ReadCommittedOutcome } from '@dbfifo/fifo-core';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { LedgerEntry } from './delivery/decide.ts';
import { partsOfRow, rowRef, sqlValues, type KeyPart, type RowRef, type TableKey } from './delivery/row-key.ts';

export type Row = Record<string, unknown>;

const q = (name: string) => `\`${name.replace(/`/g, '``')}\``;
const BINARY = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);

/** A failed try to record: when to try again, or dead-lettered. */
export interface Failure {
  hash: string;
  table: string;
  rowKey: string;
  attempts: number;
  delayMs: number;
  dead: boolean;
  code: string;
  error: string;
}

export interface DeadLetter {
  /** The first 12 hex digits of the ledger's key_hash: what `redeliver` takes. */
  id: string;
  table: string;
  rowKey: string;
  attempts: number;
  code: string | null;
  error: string | null;
  deadAt: string;
}

/** A connection held for named locks (GET_LOCK belongs to the session that took it). */
export type LockSession = PoolConnection;

/**
 * The two pools: one for statements, one for the lock sessions. A session
 * holds its connection while its delivery runs statements; if both came from
 * one pool, sessions could take every connection and wait for one forever.
 */
export interface RowsPools {
  queries: Pool;
  locks: Pool;
}

export class WebhookRows {
  private readonly ledger: string;
  /** Per table: the pool, reading with dateStrings and taking the key texts of a batch as SQL values. */
  private readonly readers = new Map<string, Queryable>();

  private readonly pool: Pool;

  constructor(private readonly pools: RowsPools, ledgerTable: string) {
    this.pool = pools.queries;
    this.ledger = q(ledgerTable);
  }

  private select<R = RowDataPacket[]>(sql: string, values: unknown[] = []): Promise<R> {
    return this.pool.query({ sql, dateStrings: true }, values).then(([rows]) => rows as R);
  }

  /** The ledger, created when missing (the worker's only DDL). */
  async ensureLedger(): Promise<void> {
    await this.pool.query(`CREATE TABLE IF NOT EXISTS ${this.ledger} (
      key_hash          CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY COMMENT 'sha256 of the table and row_key',
      table_name        VARCHAR(64) NOT NULL,
      row_key           VARCHAR(3072) NOT NULL COMMENT 'the primary key values, as a JSON array in key order',
      delivered_version CHAR(64) CHARACTER SET ascii NULL COMMENT 'what the receiver has: a hash of the row JSON; NULL = nothing',
      delivered_at      TIMESTAMP(3) NULL,
      pending_version   CHAR(64) CHARACTER SET ascii NULL COMMENT 'the change being delivered (deleted for a delete)',
      pending_key       CHAR(36) CHARACTER SET ascii NULL COMMENT 'its Idempotency-Key, the same on every retry',
      attempts          INT UNSIGNED NOT NULL DEFAULT 0,
      next_attempt_at   TIMESTAMP(3) NULL,
      last_code         VARCHAR(32) NULL,
      last_error        VARCHAR(1024) NULL,
      dead_at           TIMESTAMP(3) NULL COMMENT 'dead-lettered: no more retries until redelivered',
      updated_at        TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
      KEY ledger_due (dead_at, next_attempt_at),
      KEY ledger_table (table_name, key_hash)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async database(): Promise<string> {
    const rows = await this.select<{ db: string | null }[]>('SELECT DATABASE() AS db');
    if (!rows[0]?.db) throw new Error('DATABASE_URL names no database: the tables and the ledger live in one');
    return rows[0].db;
  }

  /** The table's primary key; a clear error when the table is missing or has none. */
  async tableKey(table: string): Promise<TableKey> {
    const cols = await this.select<{ name: string; type: string }[]>(
      `SELECT k.COLUMN_NAME AS name, c.DATA_TYPE AS type FROM information_schema.STATISTICS k
         JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = k.TABLE_SCHEMA AND c.TABLE_NAME = k.TABLE_NAME AND c.COLUMN_NAME = k.COLUMN_NAME
        WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = ? AND k.INDEX_NAME = 'PRIMARY' ORDER BY k.SEQ_IN_INDEX`,
      [table],
    );
    if (cols.length === 0) {
      const found = await this.select<unknown[]>('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [table]);
      throw new Error(found.length === 0
        ? `table ${table} (WEBHOOK_TABLES) does not exist in DATABASE_URL's database, or this account may not read it`
        : `table ${table} has no primary key: a delivery names its row by it`);
    }
    return { table, columns: cols.map((c) => c.name), binary: cols.map((c) => BINARY.has(String(c.type).toLowerCase())) };
  }

  // --- named locks: one row's deliveries one at a time, in every process ---

  session(): Promise<LockSession> {
    return this.pools.locks.getConnection();
  }

  /** Takes each lock, waiting up to waitSeconds (whole seconds, as MySQL takes them) for it; true where taken. */
  async lock(s: LockSession, names: string[], waitSeconds = 0): Promise<boolean[]> {
    if (names.length === 0) return [];
    const wait = Math.max(0, Math.ceil(waitSeconds));
    const [rows] = await s.query<RowDataPacket[]>({ sql: `SELECT ${names.map((_, i) => `GET_LOCK(?, ?) AS l${i}`).join(', ')}`, rowsAsArray: true }, names.flatMap((n) => [n, wait]));
    return (rows[0] as unknown as (number | null)[]).map((v) => Number(v) === 1);
  }

  async unlock(s: LockSession, names: string[]): Promise<void> {
    if (names.length > 0) await s.query(`DO ${names.map(() => 'RELEASE_LOCK(?)').join(', ')}`, names);
  }

  // --- the users' tables ---

  private reader(t: TableKey): Queryable {
    let r = this.readers.get(t.table);
    if (!r) {
      const toSql = (text: string) => {
        const v = sqlValues(t, JSON.parse(text) as KeyPart[]);
        return t.columns.length === 1 ? v[0] : v;
      };
      r = {
        query: ((sql: string, values?: unknown[]) =>
          this.pool.query({ sql, dateStrings: true }, values === undefined ? undefined : [(values[0] as string[]).map(toSql)])) as Queryable['query'],
      };
      this.readers.set(t.table, r);
    }
    return r;
  }

  private keyColumns(t: TableKey): string {
    return t.columns.length === 1 ? q(t.columns[0]!) : `(${t.columns.map(q).join(', ')})`;
  }

  /** The rows as committed, waiting for open writers (a locking read: a trigger rings before COMMIT). */
  committed(t: TableKey, refs: RowRef[], o: { timeoutMs: number; signal: AbortSignal }): Promise<Map<string, ReadCommittedOutcome<Row>>> {
    return readCommittedMany<string, Row>(this.reader(t), `SELECT * FROM ${q(t.table)} WHERE ${this.keyColumns(t)} IN (?)`, refs.map((r) => r.text), (row) => rowRef(partsOfRow(t, row)).text, o);
  }

  /** Up to `limit` rows after `after` in key order (a plain read: reconcile's pages). */
  rowsAfter(t: TableKey, after: KeyPart[] | undefined, limit: number): Promise<Row[]> {
    const order = t.columns.map(q).join(', ');
    if (!after) return this.select<Row[]>(`SELECT * FROM ${q(t.table)} ORDER BY ${order} LIMIT ?`, [limit]);
    // (a > ?) OR (a = ? AND b > ?) …: the form the optimizer turns into an index range.
    const values = sqlValues(t, after);
    const terms = t.columns.map((_, i) => `(${[...t.columns.slice(0, i).map((c) => `${q(c)} = ?`), `${q(t.columns[i]!)} > ?`].join(' AND ')})`);
    const params = t.columns.flatMap((_, i) => values.slice(0, i + 1));
    return this.select<Row[]>(`SELECT * FROM ${q(t.table)} WHERE ${terms.join(' OR ')} ORDER BY ${order} LIMIT ?`, [...params, limit]);
  }

  /** Which of these rows exist now (plain read). */
  async existing(t: TableKey, refs: RowRef[]): Promise<Set<string>> {
    if (refs.length === 0) return new Set();
    const rows = await this.select<Row[]>(`SELECT ${t.columns.map(q).join(', ')} FROM ${q(t.table)} WHERE ${this.keyColumns(t)} IN (?)`,
      [refs.map((r) => (t.columns.length === 1 ? sqlValues(t, r.parts)[0] : sqlValues(t, r.parts)))]);
    return new Set(rows.map((row) => rowRef(partsOfRow(t, row)).text));
  }

  // --- the ledger ---

  async entries(hashes: string[]): Promise<Map<string, LedgerEntry>> {
    if (hashes.length === 0) return new Map();
    const rows = await this.select<RowDataPacket[]>(
      `SELECT key_hash, delivered_version, pending_version, pending_key, attempts, next_attempt_at IS NOT NULL AS retry, dead_at IS NOT NULL AS dead
         FROM ${this.ledger} WHERE key_hash IN (?)`,
      [hashes],
    );
    return new Map(rows.map((r) => [String(r.key_hash), {
      deliveredVersion: r.delivered_version as string | null,
      pendingVersion: r.pending_version as string | null,
      pendingKey: r.pending_key as string | null,
      attempts: Number(r.attempts),
      retryScheduled: Number(r.retry) === 1,
      dead: Number(r.dead) === 1,
    }]));
  }

  /** Before a request: the change being delivered and its Idempotency-Key (a crash after the POST then retries under the same key). */
  async intend(intents: { hash: string; table: string; rowKey: string; version: string; key: string }[]): Promise<void> {
    if (intents.length === 0) return;
    await this.pool.query(
      `INSERT INTO ${this.ledger} (key_hash, table_name, row_key, pending_version, pending_key) VALUES ?
       ON DUPLICATE KEY UPDATE pending_version = VALUES(pending_version), pending_key = VALUES(pending_key)`,
      [intents.map((i) => [i.hash, i.table, i.rowKey, i.version, i.key])],
    );
  }

  /** The receiver has the pending change now. */
  async delivered(hashes: string[]): Promise<void> {
    if (hashes.length === 0) return;
    await this.pool.query(
      `UPDATE ${this.ledger} SET delivered_version = pending_version, delivered_at = NOW(3), pending_version = NULL, pending_key = NULL,
              attempts = 0, next_attempt_at = NULL, last_code = NULL, last_error = NULL, dead_at = NULL WHERE key_hash IN (?)`,
      [hashes],
    );
  }

  /** In line again without a request (the row went back to what the receiver has): the failure is over. */
  async settled(hashes: string[]): Promise<void> {
    if (hashes.length === 0) return;
    await this.pool.query(
      `UPDATE ${this.ledger} SET pending_version = NULL, pending_key = NULL, attempts = 0, next_attempt_at = NULL,
              last_code = NULL, last_error = NULL, dead_at = NULL WHERE key_hash IN (?)`,
      [hashes],
    );
  }

  /** Rows the receiver has nothing of (a delete delivered, or never sent): out of the ledger. */
  async forget(hashes: string[]): Promise<void> {
    if (hashes.length > 0) await this.pool.query(`DELETE FROM ${this.ledger} WHERE key_hash IN (?)`, [hashes]);
  }

  async failed(failures: Failure[]): Promise<void> {
    if (failures.length === 0) return;
    await this.pool.query(
      `INSERT INTO ${this.ledger} (key_hash, table_name, row_key, attempts, next_attempt_at, last_code, last_error, dead_at)
       VALUES ${failures.map(() => '(?, ?, ?, ?, IF(?, NULL, NOW(3) + INTERVAL ? MICROSECOND), ?, ?, IF(?, NOW(3), NULL))').join(', ')}
       ON DUPLICATE KEY UPDATE attempts = VALUES(attempts), next_attempt_at = VALUES(next_attempt_at), last_code = VALUES(last_code),
              last_error = VALUES(last_error), dead_at = VALUES(dead_at)`,
      failures.flatMap((f) => [f.hash, f.table, f.rowKey, f.attempts, f.dead, Math.round(f.delayMs * 1000), f.code, f.error.slice(0, 1024), f.dead]),
    );
  }

  /** Rows of these tables whose retry is due, oldest first. */
  dueRetries(tables: string[], limit: number): Promise<{ table: string; rowKey: string }[]> {
    return this.select(
      `SELECT table_name AS \`table\`, row_key AS rowKey FROM ${this.ledger}
        WHERE dead_at IS NULL AND next_attempt_at <= NOW(3) AND table_name IN (?) ORDER BY next_attempt_at LIMIT ?`,
      [tables, limit],
    );
  }

  /** Milliseconds until the next retry of these tables is due (the database's clock), or undefined when none is scheduled. */
  async nextRetryInMs(tables: string[]): Promise<number | undefined> {
    const rows = await this.select<{ us: string | number | null }[]>(
      `SELECT TIMESTAMPDIFF(MICROSECOND, NOW(3), MIN(next_attempt_at)) AS us FROM ${this.ledger}
        WHERE dead_at IS NULL AND next_attempt_at IS NOT NULL AND table_name IN (?)`,
      [tables],
    );
    const us = rows[0]?.us;
    return us === null || us === undefined ? undefined : Math.max(0, Number(us) / 1000);
  }

  /** Rows of `table` whose receiver has a version, after `afterHash` in ledger order (reconcile's search for deletes). */
  deliveredAfter(table: string, afterHash: string, limit: number): Promise<{ hash: string; rowKey: string }[]> {
    return this.select(
      `SELECT key_hash AS hash, row_key AS rowKey FROM ${this.ledger}
        WHERE table_name = ? AND key_hash > ? AND delivered_version IS NOT NULL ORDER BY key_hash LIMIT ?`,
      [table, afterHash, limit],
    );
  }

  async deadLetters(limit = 1000): Promise<DeadLetter[]> {
    const rows = await this.select<RowDataPacket[]>(
      `SELECT key_hash, table_name, row_key, attempts, last_code, last_error, dead_at FROM ${this.ledger}
        WHERE dead_at IS NOT NULL ORDER BY dead_at, key_hash LIMIT ?`,
      [limit],
    );
    return rows.map((r) => ({
      id: String(r.key_hash).slice(0, 12),
      table: String(r.table_name),
      rowKey: String(r.row_key),
      attempts: Number(r.attempts),
      code: r.last_code as string | null,
      error: r.last_error as string | null,
      deadAt: String(r.dead_at),
    }));
  }

  /**
   * Dead letters back into line for a try now: every one, or those whose id
   * (a prefix of key_hash) is given. Returns the rows revived.
   */
  async revive(ids: string[] | 'all'): Promise<{ table: string; rowKey: string }[]> {
    const which = ids === 'all' ? '' : ` AND (${ids.map(() => 'key_hash LIKE ?').join(' OR ')})`;
    const params = ids === 'all' ? [] : ids.map((id) => `${id.toLowerCase().replace(/[^0-9a-f]/g, '')}%`);
    if (ids !== 'all' && ids.length === 0) return [];
    const conn = await this.pool.getConnection();
    try {
      await conn.beginTransaction();
      const [rows] = await conn.query<RowDataPacket[]>(`SELECT table_name, row_key FROM ${this.ledger} WHERE dead_at IS NOT NULL${which} FOR UPDATE`, params);
      await conn.query(`UPDATE ${this.ledger} SET dead_at = NULL, attempts = 0, next_attempt_at = NOW(3) WHERE dead_at IS NOT NULL${which}`, params);
      await conn.commit();
      return rows.map((r) => ({ table: String(r.table_name), rowKey: String(r.row_key) }));
    } catch (e) {
      await conn.rollback().catch(() => {});
      throw e;
    } finally {
      conn.release();
    }
  }
}
