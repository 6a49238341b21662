// One column's value as JSON inside the doorbell's CONCAT, the cheapest way that is
// always valid JSON:
//   integers, YEAR, FLOAT, DOUBLE  as they are            42, 1.5, 1e300
//   BIT                            as an unsigned number   5
//   DECIMAL                        as a string, exact      "12.50"
//   DATE, TIME, DATETIME,          as a string, the server's text form; TIMESTAMP in the
//   TIMESTAMP, UUID                writing session's time zone     "2024-01-02 03:04:05.678"
//   BINARY, VARBINARY, BLOBs,      as a hex string         "00FF"
//   geometry
//   CHAR, VARCHAR, TEXTs, ENUM,    JSON_QUOTE (escapes quotes, backslashes and
//   SET, INET4/6, anything else    control characters; utf8mb4 whatever the column's charset)
// NULL becomes null (CONCAT would otherwise turn the whole doorbell into NULL).
// The bare forms only ever contain digits, '-', '.', ':', ' ' or hex: no escaping needed.
import type { ColumnMeta } from './table-meta.ts';
import { quoteIdent } from './sql-text.ts';

/** A piece of the doorbell: literal text (quoted by the caller) or a SQL expression. */
export type Part = { lit: string } | { expr: string };

export type Encoding = 'number' | 'bit' | 'bare-string' | 'hex' | 'json-string' | 'cast-json-string';

const NUMBER = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'year', 'float', 'double', 'real']);
const BARE = new Set(['decimal', 'numeric', 'date', 'time', 'datetime', 'timestamp', 'uuid']);
const HEX = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob', 'geometry', 'point', 'linestring',
  'polygon', 'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection']);
const TEXT = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set', 'inet4', 'inet6']);

export function encodingOf(col: ColumnMeta): Encoding {
  const t = col.dataType.toLowerCase();
  if (NUMBER.has(t)) return 'number';
  if (t === 'bit') return 'bit';
  if (BARE.has(t)) return 'bare-string';
  if (HEX.has(t)) return 'hex';
  if (TEXT.has(t)) return 'json-string';
  return 'cast-json-string'; // MySQL's JSON type and whatever comes later: text through JSON_QUOTE
}

/** `NEW`.`col` or `OLD`.`col`. */
export function rowColumn(row: 'NEW' | 'OLD', col: ColumnMeta): string {
  return `${row}.${quoteIdent(col.name)}`;
}

export function columnValueParts(col: ColumnMeta, row: 'NEW' | 'OLD'): Part[] {
  const ref = rowColumn(row, col);
  const orNull = (expr: string): Part[] => [{ expr: col.nullable ? `IFNULL(${expr}, 'null')` : expr }];
  const quoted = (expr: string): Part[] =>
    col.nullable ? [{ expr: `IFNULL(CONCAT('"', ${expr}, '"'), 'null')` }] : [{ lit: '"' }, { expr }, { lit: '"' }];
  switch (encodingOf(col)) {
    case 'number':
      return orNull(ref);
    case 'bit':
      return orNull(`CAST(${ref} AS UNSIGNED)`);
    case 'bare-string':
      return quoted(ref);
    case 'hex':
      return quoted(`HEX(${ref})`);
    case 'json-string':
      return orNull(`JSON_QUOTE(${ref})`);
    case 'cast-json-string':
      return orNull(`JSON_QUOTE(CAST(${ref} AS CHAR))`);
  }
}

/** Longest this value can be in the doorbell, in bytes (JSON escaping of text can add more). */
export function maxValueBytes(col: ColumnMeta): number {
  const bytes = col.maxBytes ?? 64;
  const n = (() => {
    switch (encodingOf(col)) {
      case 'number':
      case 'bit':
        return 24;
      case 'bare-string':
        return col.dataType === 'decimal' || col.dataType === 'numeric' ? 70 : 40;
      case 'hex':
        return 2 + 2 * bytes;
      case 'json-string':
      case 'cast-json-string':
        return 2 + bytes;
    }
  })();
  return col.nullable ? Math.max(n, 4) : n;
}
