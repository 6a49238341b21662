// One delivery as it goes on the wire: a POST whose body is the change as
// JSON, {"table","op","key","row","version"} (row null for a delete), with the
// headers a receiver relies on: Idempotency-Key (the same on every retry of
// this change), the table and op, and the signature when there is a secret.
import { sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.ts';
import type { RowJson } from './version.ts';

export type ChangeOp = 'insert' | 'update' | 'delete';

export interface Change {
  table: string;
  op: ChangeOp;
  key: Record<string, unknown>;
  /** The committed row as it is now; null for a delete. */
  row: RowJson | null;
  /** The row's version (a hash of its JSON), or `deleted`. */
  version: string;
}

export interface WireRequest {
  body: string;
  headers: Record<string, string>;
}

export function wireRequest(change: Change, o: { idempotencyKey: string; secret?: string; nowSec?: number }): WireRequest {
  const body = JSON.stringify(change);
  const timestamp = o.nowSec ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': 'dbfifo-webhook-worker',
    'Idempotency-Key': o.idempotencyKey,
    'X-Dbfifo-Table': change.table,
    'X-Dbfifo-Op': change.op,
    [TIMESTAMP_HEADER]: String(timestamp),
  };
  if (o.secret) headers[SIGNATURE_HEADER] = sign(o.secret, timestamp, body);
  return { body, headers };
}
