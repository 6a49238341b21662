// A row's identity in every place webhook-worker names it: the doorbell's `id`
// (a scalar, or an object of the key's columns), the row read back, the
// request's "key", the ledger's row_key and key_hash, and the lock a delivery
// holds. All of them come from one list of parts, the primary key's values in
// key order, written the way the doorbell writes them: numbers as numbers,
// DECIMAL, dates and text as strings, binary as upper-case hex.
import { createHash } from 'node:crypto';

/** A table's primary key, read at start (rows.ts). */
export interface TableKey {
  table: string;
  /** Key columns in key order. */
  columns: string[];
  /** Per column: a binary type, whose values travel as hex and are compared as bytes. */
  binary: boolean[];
}

export type KeyPart = number | string;

/** One row of a table, named by its key. */
export interface RowRef {
  parts: KeyPart[];
  /** JSON of the parts: the ledger's row_key, and the text every map of a batch is keyed by. */
  text: string;
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function rowRef(parts: KeyPart[]): RowRef {
  return { parts, text: JSON.stringify(parts) };
}

/** The row a ledger entry names (its row_key is a RowRef's text). */
export function refOfKey(rowKey: string): RowRef {
  return rowRef(JSON.parse(rowKey) as KeyPart[]);
}

/** Ledger entries' rows, grouped by table (one delivery call per table), in their order. */
export function refsByTable(entries: readonly { table: string; rowKey: string }[]): Map<string, RowRef[]> {
  const out = new Map<string, RowRef[]>();
  for (const e of entries) {
    const refs = out.get(e.table);
    if (refs) refs.push(refOfKey(e.rowKey));
    else out.set(e.table, [refOfKey(e.rowKey)]);
  }
  return out;
}

/** The parts of a doorbell's id, or a sentence saying why it does not fit the key. */
export function partsOfDoorbell(t: TableKey, id: unknown): KeyPart[] | string {
  let values: unknown[];
  if (id !== null && typeof id === 'object' && !Array.isArray(id)) {
    const names = Object.keys(id);
    if (names.length !== t.columns.length || !t.columns.every((c) => names.includes(c))) {
      return `id names ${names.join(', ') || 'no column'}; the primary key of ${t.table} is ${t.columns.join(', ')}`;
    }
    values = t.columns.map((c) => (id as Record<string, unknown>)[c]);
  } else if (t.columns.length === 1) {
    values = [id];
  } else {
    return `id is a single value; the primary key of ${t.table} is ${t.columns.join(', ')}`;
  }
  const parts: KeyPart[] = [];
  for (const [i, v] of values.entries()) {
    if (typeof v === 'number' && Number.isFinite(v)) parts.push(v);
    else if (typeof v === 'string' && !t.binary[i]) parts.push(v);
    else if (typeof v === 'string' && /^(?:[0-9A-Fa-f]{2})*$/.test(v)) parts.push(v.toUpperCase());
    else return `${t.columns[i]} is ${JSON.stringify(v)}, not a ${t.binary[i] ? 'hex string' : 'number or string'}`;
  }
  return parts;
}

/** One column value as the doorbell writes it (the row is read with dateStrings). */
export function keyPartOfValue(v: unknown): KeyPart {
  if (Buffer.isBuffer(v)) return v.toString('hex').toUpperCase();
  if (typeof v === 'number' || typeof v === 'string') return v;
  return String(v);
}

export function partsOfRow(t: TableKey, row: Record<string, unknown>): KeyPart[] {
  return t.columns.map((c) => keyPartOfValue(row[c]));
}

/** The values to compare the key columns with in SQL: binary ones as bytes. */
export function sqlValues(t: TableKey, parts: KeyPart[]): unknown[] {
  return parts.map((p, i) => (t.binary[i] ? Buffer.from(String(p), 'hex') : p));
}

/** The key as the request shows it: {"shop_id":1,"order_no":"A-7"}. */
export function keyObject(t: TableKey, parts: KeyPart[]): Record<string, KeyPart> {
  return Object.fromEntries(t.columns.map((c, i) => [c, parts[i]!]));
}

/** The ledger's primary key for a row: sha256 of its table and key. */
export function keyHash(table: string, ref: RowRef): string {
  return sha256(`${table}\u0000${ref.text}`);
}
