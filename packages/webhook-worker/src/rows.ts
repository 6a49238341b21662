// All SQL of webhook-worker: nothing else in this package runs SQL.
import { readCommittedMany, type ReadCommittedOutcome } from '@dbfifo/fifo-core';
import type { Pool } from 'mysql2/promise';

/** The table whose changes ring the pipe (sql/webhook/schema.sql). */
export const TABLE = 'orders';

/** A row of `orders` as read: its primary key `id` and the other columns. */
export interface WebhookRow {
  id: number;
  [column: string]: unknown;
}

export class WebhookRows {
  constructor(private readonly pool: Pool) {}

  /**
   * The rows a batch of doorbells names, as committed: one locking read waits
   * for every writer of the batch (a trigger rings before its COMMIT).
   */
  committed(ids: readonly number[], o: { timeoutMs: number; signal: AbortSignal }): Promise<Map<number, ReadCommittedOutcome<WebhookRow>>> {
    return readCommittedMany<number, WebhookRow>(this.pool, 'SELECT * FROM `orders` WHERE `id` IN (?)', ids, (row) => Number(row.id), o);
  }
}
