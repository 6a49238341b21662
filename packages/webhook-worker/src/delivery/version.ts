// What a receiver is sent of a row, and the version that tells two states of
// it apart: the row's JSON (binary values as upper-case hex, dates as the
// server writes them), hashed. A delete's version is `deleted`. The version
// says whether the receiver has this state already; the Idempotency-Key names
// one change being delivered (a row that goes A → B → A is sent A twice, under
// two keys), so it is made new for each change and kept in the ledger for its
// retries.
import { randomUUID } from 'node:crypto';
import { sha256 } from './row-key.ts';

export const DELETED = 'deleted';

export type RowJson = Record<string, unknown>;

export function rowJson(row: Record<string, unknown>): RowJson {
  const out: RowJson = {};
  for (const [k, v] of Object.entries(row)) out[k] = Buffer.isBuffer(v) ? v.toString('hex').toUpperCase() : v;
  return out;
}

export function versionOf(row: RowJson): string {
  return sha256(JSON.stringify(row));
}

export function newIdempotencyKey(): string {
  return randomUUID();
}
