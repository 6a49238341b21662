// What to do for one row, from the row as committed now and what the ledger
// says its receiver has. Pure, so every path (a doorbell, a retry, reconcile,
// a redelivery) decides alike:
//
// - the receiver has this state already        → in line (a duplicate doorbell)
// - the row differs from what it has           → send it: insert if it never had the row, else update
// - the row is gone and the receiver had it    → send a delete
// - the row is gone and it never had it        → forget the ledger entry (nothing to undo)
// - a failed delivery of the row waits for its retry, or is dead-lettered
//                                              → held: that retry (or the redelivery) sends
//                                                the row as it is then, so order per row holds
// - no committed row, nothing delivered, and the doorbell was not a delete
//                                              → rolled back (or deleted before its first delivery)
import type { ChangeOp } from './request.ts';
import { DELETED, type RowJson } from './version.ts';

/** A row's line in the ledger (rows.ts). */
export interface LedgerEntry {
  /** The version the receiver has; null when it has nothing (never sent, or deleted). */
  deliveredVersion: string | null;
  /** The change being delivered and its Idempotency-Key, while it is not delivered. */
  pendingVersion: string | null;
  pendingKey: string | null;
  attempts: number;
  /** A retry is scheduled (the delivery failed). */
  retryScheduled: boolean;
  dead: boolean;
}

export type Seen = { state: 'committed'; row: RowJson; version: string } | { state: 'absent' };

export type Plan =
  | { kind: 'send'; op: ChangeOp; version: string; row: RowJson | null }
  | { kind: 'in-line'; settle: boolean }
  | { kind: 'forget' }
  | { kind: 'held' }
  | { kind: 'rolled-back' };

export function decide(seen: Seen, entry: LedgerEntry | undefined, o: { retrying: boolean; doorbellOp?: ChangeOp }): Plan {
  if (entry && !o.retrying && (entry.dead || entry.retryScheduled)) return { kind: 'held' };
  const failing = entry !== undefined && (entry.pendingVersion !== null || entry.retryScheduled || entry.dead || entry.attempts > 0);
  if (seen.state === 'committed') {
    if (entry?.deliveredVersion === seen.version) return { kind: 'in-line', settle: failing };
    return { kind: 'send', op: entry?.deliveredVersion ? 'update' : 'insert', version: seen.version, row: seen.row };
  }
  if (entry?.deliveredVersion) return { kind: 'send', op: 'delete', version: DELETED, row: null };
  if (entry) return { kind: 'forget' };
  return o.doorbellOp === 'delete' || o.doorbellOp === undefined ? { kind: 'in-line', settle: false } : { kind: 'rolled-back' };
}
