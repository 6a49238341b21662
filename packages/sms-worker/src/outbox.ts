// Every statement sms-worker runs against sms_outbox. State changes are
// compare-and-set on (status, attempts): the `attempts` counter is bumped by
// each claim and each create request, so it doubles as the claim token and an
// UPDATE only lands if nobody else moved the row since we read it.
import { readCommittedOutcome, type ReadCommittedOutcome } from '@dbfifo/fifo-core';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';

export type Status = 'pending' | 'sending' | 'sent' | 'failed' | 'parked';

export interface OutboxRow {
  id: number;
  mobile: string;
  body: string;
  status: Status;
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

const COLUMNS = 'id, mobile, body, status, to_e164, provider_sid, attempts, CAST(UNIX_TIMESTAMP(claimed_at) * 1000 AS SIGNED) AS claimed_at_ms';
const TEXT_MAX = 1024;
const clip = (s: string): string => (s.length > TEXT_MAX ? s.slice(0, TEXT_MAX - 1) + '…' : s);

export class Outbox {
  constructor(private readonly pool: Pool) {}

  async fetch(id: number): Promise<OutboxRow | undefined> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT ${COLUMNS} FROM sms_outbox WHERE id = ?`, [id]);
    return rows[0] as OutboxRow | undefined;
  }

  /**
   * The row a doorbell names, once its writer has committed: the trigger rang
   * before COMMIT, and a locking read waits for that COMMIT (or ROLLBACK)
   * instead of polling. 'absent' = rolled back; 'timeout' = still uncommitted.
   */
  fetchCommitted(id: number, o: { timeoutMs: number; signal?: AbortSignal }): Promise<ReadCommittedOutcome<OutboxRow>> {
    return readCommittedOutcome<OutboxRow>(this.pool, `SELECT ${COLUMNS} FROM sms_outbox WHERE id = ?`, [id], o);
  }

  /** A bare-number line becomes a row first; the same line delivered twice finds the first row. */
  async insertFromLine(lineId: string, mobile: string, body: string): Promise<OutboxRow> {
    await this.pool.execute('INSERT IGNORE INTO sms_outbox (mobile, body, line_id) VALUES (?, ?, ?)', [mobile, body, lineId]);
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT ${COLUMNS} FROM sms_outbox WHERE line_id = ?`, [lineId]);
    if (!rows[0]) throw new Error(`outbox row for line ${lineId} not found after insert`);
    return rows[0] as OutboxRow;
  }

  /** pending → sending. True when this caller won the row; the row's new attempts is `attempts + 1`. */
  async claim(id: number, e164: string): Promise<boolean> {
    const [r] = await this.pool.execute<ResultSetHeader>(
      `UPDATE sms_outbox SET status = 'sending', claimed_at = NOW(3), attempts = attempts + 1, to_e164 = ?
        WHERE id = ? AND status = 'pending'`,
      [e164, id],
    );
    return r.affectedRows === 1;
  }

  /** A further create request on a claimed row (also a heartbeat: claimed_at = now). */
  async nextAttempt(id: number, token: number): Promise<boolean> {
    const [r] = await this.pool.execute<ResultSetHeader>(
      `UPDATE sms_outbox SET attempts = attempts + 1, claimed_at = NOW(3)
        WHERE id = ? AND status = 'sending' AND attempts = ?`,
      [id, token],
    );
    return r.affectedRows === 1;
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

  async markSent(id: number, token: number, sid: string, note: string | null = null): Promise<boolean> {
    const [r] = await this.pool.execute<ResultSetHeader>(
      `UPDATE sms_outbox SET status = 'sent', provider_sid = ?, sent_at = NOW(3), error_code = NULL, last_error = ?
        WHERE id = ? AND status = 'sending' AND attempts = ?`,
      [sid, note, id, token],
    );
    return r.affectedRows === 1;
  }

  /** Permanent refusal. From 'pending' (invalid number, never claimed) or from our claim. */
  async markFailed(id: number, token: number | null, code: string, message: string): Promise<boolean> {
    const [r] = await this.pool.execute<ResultSetHeader>(
      token === null
        ? `UPDATE sms_outbox SET status = 'failed', error_code = ?, last_error = ? WHERE id = ? AND status = 'pending'`
        : `UPDATE sms_outbox SET status = 'failed', error_code = ?, last_error = ? WHERE id = ? AND status = 'sending' AND attempts = ?`,
      token === null ? [code, clip(message), id] : [code, clip(message), id, token],
    );
    return r.affectedRows === 1;
  }

  /** Back to pending: only when we know nothing went out (reconcile or a queue retry sends it later). */
  async release(id: number, token: number): Promise<void> {
    await this.pool.execute(
      `UPDATE sms_outbox SET status = 'pending', claimed_at = NULL WHERE id = ? AND status = 'sending' AND attempts = ?`,
      [id, token],
    );
  }

  async park(id: number, token: number, note: string): Promise<boolean> {
    const [r] = await this.pool.execute<ResultSetHeader>(
      `UPDATE sms_outbox SET status = 'parked', last_error = ? WHERE id = ? AND status = 'sending' AND attempts = ?`,
      [clip(note), id, token],
    );
    return r.affectedRows === 1;
  }

  async pending(limit: number): Promise<OutboxRow[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM sms_outbox WHERE status = 'pending' ORDER BY id LIMIT ?`, [limit]);
    return rows as OutboxRow[];
  }

  /** 'sending' rows whose claim has not been renewed for stuckAfterMs: their worker died or hung. */
  async stuck(stuckAfterMs: number, limit: number): Promise<OutboxRow[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${COLUMNS} FROM sms_outbox
        WHERE status = 'sending' AND claimed_at < NOW(3) - INTERVAL ? MICROSECOND ORDER BY id LIMIT ?`,
      [stuckAfterMs * 1000, limit]);
    return rows as OutboxRow[];
  }

  /** Which of these provider sids are already recorded on some row. */
  async recordedSids(sids: string[]): Promise<Set<string>> {
    if (sids.length === 0) return new Set();
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT provider_sid FROM sms_outbox WHERE provider_sid IN (?)', [sids]);
    return new Set(rows.map((r) => String(r.provider_sid)));
  }
}
