// A steady insert stream that survives the server going away: errors are
// counted and the connection re-made; the items table stays the truth.
import type { LedgerDb } from './ledger-db.ts';
import { reconnect } from './ledger-db.ts';

export interface LoadResult {
  batches: number;
  errors: number;
}

export async function insertUnderLoad(db: LedgerDb, rows: number, onProgress: (done: number) => Promise<void> | void): Promise<LoadResult> {
  const result = { batches: 0, errors: 0 };
  let done = 0;
  while (done < rows) {
    try {
      const values = Array.from({ length: 10 }, (_, k) => `(${done + k})`).join(',');
      await db.conn.query(`INSERT INTO items (v) VALUES ${values}`);
      done += 10;
      result.batches++;
      await onProgress(done);
    } catch {
      result.errors++;
      await new Promise((r) => setTimeout(r, 200));
      await reconnect(db).catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return result;
}
