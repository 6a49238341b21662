// The consumer the fault benchmark stops, starves and restarts: a batch
// worker whose only effect is a row in `handled` (unique per item, so nothing
// can be done twice), waiting for each batch's COMMIT with one locking read,
// and a reconcile that gives every item without an effect its effect.
import type { Pool } from 'mysql2/promise';
import { createPool, readCommittedMany, requireJsonObject, RolledBackError, type WorkerConfig, type WorkerDefinition } from '@dbfifo/fifo-core';

export const FAULT_TABLES = [
  'CREATE TABLE items (id BIGINT AUTO_INCREMENT PRIMARY KEY, v BIGINT NOT NULL) ENGINE=InnoDB',
  "CREATE TABLE handled (item_id BIGINT PRIMARY KEY, via ENUM('line','reconcile') NOT NULL) ENGINE=InnoDB",
];

export function faultWorker(): WorkerDefinition<WorkerConfig, { id: number }> {
  let pool: Pool | undefined;
  return {
    name: 'bench-faults',
    defaults: { concurrency: 2, batchMax: 500 },
    parse: (m) => ({ id: Number(requireJsonObject(m).id) }),
    key: (m) => `items:${m.body.id}`,
    async start(h) {
      pool = createPool(h.config.db, { connectionLimit: 8 });
    },
    async handleBatch(messages, h) {
      const ids = messages.map((m) => m.body.id);
      const rows = await readCommittedMany<number, { id: number }>(pool!, 'SELECT id FROM items WHERE id IN (?)', ids, (r) => Number(r.id), { signal: h.signal });
      const committed = ids.filter((id) => rows.get(id)?.state === 'committed');
      if (committed.length) await pool!.query("INSERT IGNORE INTO handled (item_id, via) VALUES ?", [committed.map((id) => [id, 'line'])]);
      return ids.map((id) => (rows.get(id)?.state === 'committed' ? undefined : new RolledBackError(`item ${id} not committed`)));
    },
    async reconcile() {
      const [r] = await pool!.query("INSERT IGNORE INTO handled (item_id, via) SELECT i.id, 'reconcile' FROM items i LEFT JOIN handled h ON h.item_id = i.id WHERE h.item_id IS NULL");
      return { fixed: (r as { affectedRows: number }).affectedRows };
    },
    async stop() {
      await pool?.end();
    },
  };
}
