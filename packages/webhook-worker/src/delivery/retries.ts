// One run of the ledger's retries: the rows whose retry is due, oldest first,
// at most WEBHOOK_RECONCILE_BATCH, each sent as it is now (the retry of a row
// that changed meanwhile sends its new state). Returns when the next run is due.
import type { Logger } from '@dbfifo/fifo-core';
import type { WebhookRows } from '../rows.ts';
import type { Deliverer, Result } from './deliverer.ts';
import { refsByTable, type TableKey } from './row-key.ts';

export interface RetryRun {
  rows: WebhookRows;
  deliverer: Deliverer;
  tables: Map<string, TableKey>;
  batch: number;
  signal: AbortSignal;
  log: Logger;
}

/** Delay before looking again when a due row was busy (another process is delivering it). */
const BUSY_PAUSE_MS = 500;

export async function retryDue(o: RetryRun): Promise<number | undefined> {
  const due = await o.rows.dueRetries([...o.tables.keys()], o.batch);
  const byTable = refsByTable(due);
  const results: Result[] = [];
  for (const [table, refs] of byTable) {
    if (o.signal.aborted) return undefined;
    const out = await o.deliverer.deliver(o.tables.get(table)!, refs, { retrying: true, waitBusyMs: 0, signal: o.signal, log: o.log });
    results.push(...out.values());
  }
  const next = due.length === o.batch ? 0 : await o.rows.nextRetryInMs([...o.tables.keys()]);
  // A row another process holds, or whose writer is still open, is still due: do not spin on it.
  return results.some((r) => r === 'busy' || r === 'uncommitted') ? Math.max(next ?? 0, BUSY_PAUSE_MS) : next;
}
