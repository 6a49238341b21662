// Reconcile for one table: what doorbells were lost (no worker read the pipe,
// it was full, a write came from a server without fifo.so) is found by
// comparing the table with the ledger, in pages of WEBHOOK_RECONCILE_BATCH:
//
// - every row, in key order: one whose version is not what its receiver has
//   is delivered (rows with a retry or a dead letter are the ledger's);
// - every row the ledger says a receiver has, in ledger order: one that is
//   gone is delivered as a delete.
//
// The cost is a read of the whole table and of its ledger rows per pass, one
// hash per row; the deliveries are only what differs.
import type { Logger } from '@dbfifo/fifo-core';
import type { WebhookRows } from '../rows.ts';
import type { Deliverer, Result } from './deliverer.ts';
import { keyHash, partsOfRow, refOfKey, rowRef, type KeyPart, type RowRef, type TableKey } from './row-key.ts';
import { rowJson, versionOf } from './version.ts';

export interface TableReport {
  compared: number;
  delivered: number;
  deletes: number;
  /** Rows left out of line this pass (held by another delivery, writer still open, shutdown). */
  unsettled: number;
}

export interface ReconcileRun {
  rows: WebhookRows;
  deliverer: Deliverer;
  batch: number;
  /** How long to wait for a row another delivery holds. */
  waitBusyMs: number;
  signal: AbortSignal;
  log: Logger;
}

const UNSETTLED = new Set<Result>(['busy', 'uncommitted', 'aborted']);

export async function reconcileTable(t: TableKey, o: ReconcileRun): Promise<TableReport> {
  const report: TableReport = { compared: 0, delivered: 0, deletes: 0, unsettled: 0 };
  const deliver = async (refs: RowRef[]) => {
    if (refs.length === 0) return;
    const out = await o.deliverer.deliver(t, refs, { retrying: false, waitBusyMs: o.waitBusyMs, signal: o.signal, log: o.log });
    for (const r of out.values()) {
      if (r === 'delivered') report.delivered++;
      if (UNSETTLED.has(r)) report.unsettled++;
    }
  };

  let after: KeyPart[] | undefined;
  for (;;) {
    if (o.signal.aborted) return { ...report, unsettled: report.unsettled + 1 };
    const page = await o.rows.rowsAfter(t, after, o.batch);
    const refs = page.map((row) => rowRef(partsOfRow(t, row)));
    const hashes = refs.map((r) => keyHash(t.table, r));
    const entries = await o.rows.entries(hashes);
    report.compared += page.length;
    await deliver(refs.filter((_, i) => {
      const e = entries.get(hashes[i]!);
      return !e?.retryScheduled && !e?.dead && e?.deliveredVersion !== versionOf(rowJson(page[i]!));
    }));
    if (page.length < o.batch) break;
    after = refs.at(-1)!.parts;
  }

  let afterHash = '';
  for (;;) {
    if (o.signal.aborted) return { ...report, unsettled: report.unsettled + 1 };
    const page = await o.rows.deliveredAfter(t.table, afterHash, o.batch);
    const refs = page.map((p) => refOfKey(p.rowKey));
    const present = await o.rows.existing(t, refs);
    const gone = refs.filter((r) => !present.has(r.text));
    report.deletes += gone.length;
    await deliver(gone);
    if (page.length < o.batch) break;
    afterHash = page.at(-1)!.hash;
  }
  return report;
}
