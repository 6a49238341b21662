// Every statement sms-worker runs against sms_outbox. State changes are
// compare-and-set on (status, attempts): the `attempts` counter is bumped by
// each claim and each create request, so it doubles as the row's token and an
// UPDATE only lands if nobody else moved the row since we read it. A batch is
// claimed in one UPDATE tagged with a fresh claim_token; reading the token back
// says which rows that UPDATE won (another consumer's claim or reconcile may
// have taken some first).
import { randomUUID } from 'node:crypto';
import { readCommittedMany, type ReadCommittedOutcome } from '@dbfifo/fifo-core';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'parked' | 'unknown';

export interface OutboxRow {
  id: number;
  mobile: string;
  body: string;
  status: OutboxStatus;
  to_e164: string | null;
  provider_sid: string | null;
  attempts: number;
  /**
   * claimed_at as epoch milliseconds, converted by the server: a TIMESTAMP
   * read as a Date would be taken in the worker's time zone, and a worker
   * whose zone differs from the server's would look for a sent message hours
   * off (and send it again).
   */
  claimed_at_ms: number | null;
}

/** A row this process holds: `token` is its attempts value after our last bump. */
export interface Claimed {
  id: number;
  e164: string;
  body: string;
  token: number;
}

export interface SentRecord {
  id: number;
  token: number;
  sid: string;
}

const COLUMNS = 'id, mobile, body, status, to_e164, provider_sid, attempts, CAST(UNIX_TIMESTAMP(claimed_at) * 1000 AS SIGNED) AS claimed_at_ms';
const TEXT_MAX = 1024;
const clip = (s: string): string => (s.length > TEXT_MAX ? s.slice(0, TEXT_MAX - 1) + '…' : s);
/** `CASE id WHEN ? THEN ? … END` and its parameters: one value per row in one UPDATE. */
function caseById<I extends { id: number }>(items: readonly I[], value: (item: I) => unknown): { sql: string; params: unknown[] } {
  return { sql: `CASE id ${items.map(() => 'WHEN ? THEN ?').join(' ')} END`, params: items.flatMap((it) => [it.id, value(it)]) };
}

export class SmsRows {
  constructor(private readonly pool: Pool) {}

  async fetch(id: number): Promise<OutboxRow | undefined> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT ${COLUMNS} FROM sms_outbox WHERE id = ?`, [id]);
    return rows[0] as OutboxRow | undefined;
  }

  /**
   * The rows a batch of doorbells names, once their writers have committed:
   * the triggers rang before COMMIT, and one locking read waits for every
   * writer of the batch (fifo-core's readCommittedMany). 'absent' = rolled
   * back; 'timeout' = still uncommitted after timeoutMs.
   */
  readCommitted(ids: readonly number[], o: { timeoutMs: number; signal?: AbortSignal }): Promise<Map<number, ReadCommittedOutcome<OutboxRow>>> {
    return readCommittedMany<number, OutboxRow>(this.pool, `SELECT ${COLUMNS} FROM sms_outbox WHERE id IN (?)`, ids, (r) => Number(r.id), o);
  }

  /** Bare-number lines become rows first; a line delivered twice finds its first row (line_id is unique). */
  async insertFromLines(lines: readonly { lineId: string; mobile: string }[], body: string): Promise<Map<string, OutboxRow>> {
    if (lines.length === 0) return new Map();
    await this.pool.query('INSERT IGNORE INTO sms_outbox (mobile, body, line_id) VALUES ?', [lines.map((l) => [l.mobile, body, l.lineId])]);
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT ${COLUMNS}, line_id FROM sms_outbox WHERE line_id IN (?)`, [lines.map((l) => l.lineId)]);
    return new Map(rows.map((r) => [String(r.line_id), r as OutboxRow]));
  }

  /**
   * pending → sending for every row given, in one statement; returns the rows
   * this claim won, with their token (attempts after the claim's bump).
   */
  async claim(rows: readonly { id: number; e164: string }[]): Promise<Map<number, number>> {
    if (rows.length === 0) return new Map();
    const token = randomUUID();
    const ids = rows.map((r) => r.id);
    const to = caseById(rows, (r) => r.e164);
    const [r] = await this.pool.query<ResultSetHeader>(
      `UPDATE sms_outbox SET status = 'sending', claim_token = ?, attempts = attempts + 1, claimed_at = NOW(3), to_e164 = ${to.sql}
        WHERE id IN (?) AND status = 'pending'`,
      [token, ...to.params, ids],
    );
    if (r.affectedRows === 0) return new Map();
    const [won] = await this.pool.query<RowDataPacket[]>(
      `SELECT id, attempts FROM sms_outbox WHERE id IN (?) AND claim_token = ? AND status = 'sending'`, [ids, token]);
    return new Map(won.map((w) => [Number(w.id), Number(w.attempts)]));
  }

  /** A row no live worker holds ('sending' past the stuck threshold, or 'unknown') becomes ours: a new attempt on it. */
  async takeOver(id: number, token: number, from: 'sending' | 'unknown'): Promise<boolean> {
    const [r] = await this.pool.execute<ResultSetHeader>(
      `UPDATE sms_outbox SET status = 'sending', attempts = attempts + 1, claimed_at = NOW(3) WHERE id = ? AND status = ? AND attempts = ?`,
      [id, from, token],
    );
    return r.affectedRows === 1;
  }

  /** A further create request on a claimed row (also a heartbeat: claimed_at = now). */
  async nextAttempt(id: number, token: number): Promise<boolean> {
    return this.takeOver(id, token, 'sending');
  }

  /** Heartbeat without a new attempt. False when the claim is no longer ours (a resolver took the row over). */
  async touch(id: number, token: number): Promise<boolean> {
    const [r] = await this.pool.execute<ResultSetHeader>(
      `UPDATE sms_outbox SET claimed_at = NOW(3) WHERE id = ? AND status = 'sending' AND attempts = ?`,
      [id, token],
    );
    return r.affectedRows === 1;
  }

  async noteError(id: number, token: number, code: string, message: string): Promise<void> {
    await this.pool.execute(
      `UPDATE sms_outbox SET error_code = ?, last_error = ? WHERE id = ? AND status = 'sending' AND attempts = ?`,
      [code, clip(message), id, token],
    );
  }

  /** One sent row; `from` is the status the row is expected in (a resolver's row may be 'unknown'). */
  async markSent(id: number, token: number, sid: string, note: string | null = null, from: 'sending' | 'unknown' = 'sending'): Promise<boolean> {
    const [r] = await this.pool.execute<ResultSetHeader>(
      `UPDATE sms_outbox SET status = 'sent', provider_sid = ?, sent_at = NOW(3), error_code = NULL, last_error = ?
        WHERE id = ? AND status = ? AND attempts = ?`,
      [sid, note, id, from, token],
    );
    return r.affectedRows === 1;
  }

  /** Many sent rows in one statement (group commit); returns the ids recorded (a row that changed under us is not). */
  async markSentMany(records: readonly SentRecord[]): Promise<Set<number>> {
    if (records.length === 0) return new Set();
    const ids = records.map((r) => r.id);
    const sid = caseById(records, (r) => r.sid);
    const token = caseById(records, (r) => r.token);
    const [r] = await this.pool.query<ResultSetHeader>(
      `UPDATE sms_outbox SET status = 'sent', provider_sid = ${sid.sql}, sent_at = NOW(3), error_code = NULL, last_error = NULL
        WHERE id IN (?) AND status = 'sending' AND attempts = ${token.sql}`,
      [...sid.params, ids, ...token.params],
    );
    if (r.affectedRows === records.length) return new Set(ids);
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT id, provider_sid FROM sms_outbox WHERE id IN (?)', [ids]);
    const recorded = new Map(rows.map((x) => [Number(x.id), String(x.provider_sid)]));
    return new Set(records.filter((x) => recorded.get(x.id) === x.sid).map((x) => x.id));
  }

  /** Permanent refusal by the provider, of a row we hold. */
  async markFailed(id: number, token: number, code: string, message: string): Promise<boolean> {
    const [r] = await this.pool.execute<ResultSetHeader>(
      `UPDATE sms_outbox SET status = 'failed', error_code = ?, last_error = ? WHERE id = ? AND status = 'sending' AND attempts = ?`,
      [code, clip(message), id, token],
    );
    return r.affectedRows === 1;
  }

  /** Pending rows whose number is not a phone number: failed, never claimed, one statement for the batch. */
  async markInvalid(rows: readonly { id: number; reason: string }[]): Promise<void> {
    if (rows.length === 0) return;
    const reason = caseById(rows, (r) => clip(r.reason));
    await this.pool.query(
      `UPDATE sms_outbox SET status = 'failed', error_code = 'INVALID_NUMBER', last_error = ${reason.sql} WHERE id IN (?) AND status = 'pending'`,
      [...reason.params, rows.map((r) => r.id)],
    );
  }

  /** Back to pending: only when we know nothing went out (a retry, catch-up or reconcile sends it later). */
  async release(id: number, token: number): Promise<void> {
    await this.pool.execute(
      `UPDATE sms_outbox SET status = 'pending', claimed_at = NULL WHERE id = ? AND status = 'sending' AND attempts = ?`,
      [id, token],
    );
  }

  /**
   * A request may have reached the provider and we could not ask it: the row
   * is nobody's any more, and whoever takes it next asks first. claimed_at
   * stays: the lookup searches from there.
   */
  async markUnknown(id: number, token: number, code: string, message: string): Promise<boolean> {
    const [r] = await this.pool.execute<ResultSetHeader>(
      `UPDATE sms_outbox SET status = 'unknown', error_code = ?, last_error = ? WHERE id = ? AND status = 'sending' AND attempts = ?`,
      [code, clip(message), id, token],
    );
    return r.affectedRows === 1;
  }

  async park(id: number, token: number, note: string, from: 'sending' | 'unknown'): Promise<boolean> {
    const [r] = await this.pool.execute<ResultSetHeader>(
      `UPDATE sms_outbox SET status = 'parked', last_error = ? WHERE id = ? AND status = ? AND attempts = ?`,
      [clip(note), id, from, token],
    );
    return r.affectedRows === 1;
  }

  async pending(limit: number): Promise<OutboxRow[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM sms_outbox WHERE status = 'pending' ORDER BY id LIMIT ?`, [limit]);
    return rows as OutboxRow[];
  }

  /**
   * Rows whose outcome is open and that no live worker holds: 'unknown' ones,
   * and 'sending' ones whose claim has not been renewed for stuckAfterMs
   * (their worker died or hung).
   */
  async unresolved(stuckAfterMs: number, limit: number): Promise<OutboxRow[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `(SELECT ${COLUMNS} FROM sms_outbox WHERE status = 'unknown' ORDER BY id LIMIT ?)
       UNION ALL
       (SELECT ${COLUMNS} FROM sms_outbox
         WHERE status = 'sending' AND claimed_at < NOW(3) - INTERVAL ? MICROSECOND ORDER BY id LIMIT ?)
       LIMIT ?`,
      [limit, stuckAfterMs * 1000, limit, limit]);
    return rows as OutboxRow[];
  }

  /** Which of these provider sids are already recorded on some row. */
  async recordedSids(sids: string[]): Promise<Set<string>> {
    if (sids.length === 0) return new Set();
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT provider_sid FROM sms_outbox WHERE provider_sid IN (?)', [sids]);
    return new Set(rows.map((r) => String(r.provider_sid)));
  }
}
