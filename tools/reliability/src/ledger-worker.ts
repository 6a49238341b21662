// The minimal worker the reliability cases run: its only effect is a row in
// `handled` (unique per item, so a second delivery cannot do the work twice
// and is counted in `deliveries` instead), and every handler call is logged
// in `invocations`. reconcile() is the level-triggered half: items without a
// `handled` row get one, whether or not their line ever arrived.
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { createPool, InvalidMessageError, readCommitted, RolledBackError, type WorkerDefinition } from '@dbfifo/fifo-core';
import type { LedgerConfig } from './config.ts';

export function ledgerWorker(): WorkerDefinition<LedgerConfig, { id: number }> {
  let pool: Pool | undefined;
  return {
    name: 'ledger',
    parse(m) {
      const id = (m.json as { id?: unknown } | undefined)?.id;
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) throw new InvalidMessageError('expected {"id": <positive integer>}');
      return { id };
    },
    key: (m) => String(m.body.id),
    async start(h) {
      pool = createPool(h.config.db, { connectionLimit: 16 });
    },
    async handle(m, h) {
      const { id } = m.body;
      await pool!.query('INSERT INTO invocations (item_id) VALUES (?)', [id]);
      // A locking read: waits for the inserting transaction's COMMIT (or sees the rollback).
      const row = await readCommitted<RowDataPacket>(pool!, 'SELECT id FROM items WHERE id = ?', [id], {
        timeoutMs: h.config.rowWaitMs,
        signal: h.signal,
      });
      if (!row) throw new RolledBackError(`item ${id} never became visible`);
      await pool!.query("INSERT INTO handled (item_id, via) VALUES (?, 'line') ON DUPLICATE KEY UPDATE deliveries = deliveries + 1", [id]);
    },
    // IGNORE: a handler may give an item its effect between this statement's read and its write.
    async reconcile() {
      const [r] = await pool!.query<ResultSetHeader>(
        "INSERT IGNORE INTO handled (item_id, via) SELECT i.id, 'reconcile' FROM items i LEFT JOIN handled h ON h.item_id = i.id WHERE h.item_id IS NULL",
      );
      return { fixed: r.affectedRows };
    },
    async stop() {
      await pool?.end();
    },
  };
}
