// The doorbell a generated trigger writes, as one CONCAT of literal fragments and
// column values (column-json.ts):
//   {"table":"orders","op":"insert","id":42}
//   {"table":"orders","op":"update","id":{"shop_id":1,"order_no":"A-7"},"status":"paid","old":{"status":"new"}}
// Compact, with no spaces: what a reader of the pipe really sees. (MariaDB's
// JSON_OBJECT writes `{"table": "orders", …}` with spaces, and costs more per row:
// see the trigger-cost benchmark.)
import { columnValueParts, maxValueBytes, type Part } from './column-json.ts';
import { column, type ColumnMeta, type TableMeta } from './table-meta.ts';
import { sqlString } from './sql-text.ts';
import type { TriggerEvent, TriggerOptions } from './options.ts';

/** Keys of the envelope itself: a --fields column may not take them over. */
export const ENVELOPE_KEYS = ['table', 'op', 'id', 'old'];

type DoorbellOptions = Pick<TriggerOptions, 'fields' | 'oldFields'>;

const key = (name: string) => JSON.stringify(name);

function columns(meta: TableMeta, names: string[]): ColumnMeta[] {
  return names.map((n) => {
    const c = column(meta, n);
    if (!c) throw new Error(`no column ${n} in ${meta.name}`); // validated before (generate.ts)
    return c;
  });
}

/** `"a":v,"b":w` for the given columns of `row`. */
function members(cols: ColumnMeta[], row: 'NEW' | 'OLD'): Part[] {
  return cols.flatMap((c, i) => [{ lit: `${i > 0 ? ',' : ''}${key(c.name)}:` }, ...columnValueParts(c, row)]);
}

export function doorbellParts(meta: TableMeta, o: DoorbellOptions, op: TriggerEvent): Part[] {
  const row = op === 'delete' ? 'OLD' : 'NEW';
  const pk = columns(meta, meta.primaryKey);
  const id: Part[] = pk.length === 1 ? columnValueParts(pk[0]!, row) : [{ lit: '{' }, ...members(pk, row), { lit: '}' }];
  const parts: Part[] = [{ lit: `{"table":${key(meta.name)},"op":${key(op)},"id":` }, ...id];
  for (const f of columns(meta, o.fields)) parts.push({ lit: `,${key(f.name)}:` }, ...columnValueParts(f, row));
  if (op === 'update' && o.oldFields.length > 0) parts.push({ lit: ',"old":{' }, ...members(columns(meta, o.oldFields), 'OLD'), { lit: '}' });
  parts.push({ lit: '}' });
  return merge(parts);
}

function merge(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if ('lit' in p && last && 'lit' in last) last.lit += p.lit;
    else out.push({ ...p });
  }
  return out;
}

/** The SQL expression: CONCAT('{"table":"orders","op":"insert","id":', NEW.`id`, '}'). */
export function doorbellSql(parts: Part[]): string {
  return `CONCAT(${parts.map((p) => ('lit' in p ? sqlString(p.lit) : p.expr)).join(', ')})`;
}

/** Longest the doorbell can be, in bytes, before JSON escaping of text values. */
export function doorbellMaxBytes(meta: TableMeta, o: DoorbellOptions, op: TriggerEvent): number {
  let n = 0;
  for (const p of doorbellParts(meta, o, op)) if ('lit' in p) n += Buffer.byteLength(p.lit);
  const cols = [...meta.primaryKey, ...o.fields, ...(op === 'update' ? o.oldFields : [])];
  for (const name of cols) n += maxValueBytes(column(meta, name)!);
  return n;
}

/** The doorbell's shape for people: {"table":"orders","op":"insert","id":{"shop_id":…,"order_no":…}}. */
export function doorbellExample(meta: TableMeta, o: DoorbellOptions, op: TriggerEvent): string {
  return doorbellParts(meta, o, op).map((p) => ('lit' in p ? p.lit : '…')).join('');
}
