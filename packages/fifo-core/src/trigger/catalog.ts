// Reading tables and triggers from information_schema. What an account sees there
// is what it has privileges on: a table it cannot touch looks the same as a
// missing one, and TRIGGERS lists only tables it has the TRIGGER privilege on.
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { TriggerError } from '../errors.ts';
import { catalogTrigger, type CatalogTrigger } from './catalog-trigger.ts';
import { displayName } from './sql-text.ts';
import type { TableMeta } from './table-meta.ts';

/**
 * The table's columns and primary key. information_schema compares names without
 * case, so the exact name is picked here; a table that exists only in another case
 * is named in the error.
 */
export async function readTable(conn: Connection, schema: string, table: string): Promise<TableMeta> {
  const [tables] = await conn.query<RowDataPacket[]>(
    'SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [schema, table],
  );
  const exact = tables.find((r) => r.s === schema && r.t === table);
  if (!exact) {
    // Only on this path: LOWER() makes the server look at every table of the schema.
    const [others] = await conn.query<RowDataPacket[]>(
      'SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND LOWER(TABLE_NAME) = LOWER(?)',
      [schema, table],
    );
    const other = [...tables, ...others][0];
    throw new TriggerError([
      other
        ? `unknown table ${displayName(schema, table)}; did you mean ${displayName(String(other.s), String(other.t))}?`
        : `unknown table ${displayName(schema, table)} (it does not exist, or this account has no privilege on it)`,
    ]);
  }
  if (exact.type !== 'BASE TABLE') throw new TriggerError([`${displayName(schema, table)} is a ${String(exact.type).toLowerCase()}: triggers exist only on base tables`]);
  const [cols] = await conn.query<RowDataPacket[]>(
    `SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, IS_NULLABLE AS nullable, CHARACTER_OCTET_LENGTH AS maxBytes
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [schema, table],
  );
  const [keys] = await conn.query<RowDataPacket[]>(
    `SELECT COLUMN_NAME AS name FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX`,
    [schema, table],
  );
  return {
    schema,
    name: table,
    columns: cols.map((c) => ({
      name: String(c.name),
      dataType: String(c.dataType).toLowerCase(),
      nullable: c.nullable === 'YES',
      maxBytes: c.maxBytes === null ? null : Number(c.maxBytes),
    })),
    primaryKey: keys.map((k) => String(k.name)),
  };
}

/** Triggers of one schema (every table), or of every schema the account sees. */
export async function readTriggers(conn: Connection, schema?: string): Promise<CatalogTrigger[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT TRIGGER_SCHEMA AS s, EVENT_OBJECT_TABLE AS t, TRIGGER_NAME AS name, EVENT_MANIPULATION AS event,
            ACTION_TIMING AS timing, ACTION_ORDER AS ord, ACTION_STATEMENT AS body
       FROM information_schema.TRIGGERS ${schema === undefined ? '' : 'WHERE TRIGGER_SCHEMA = ?'}
      ORDER BY TRIGGER_SCHEMA, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER`,
    schema === undefined ? [] : [schema],
  );
  return rows
    .filter((r) => schema === undefined || r.s === schema)
    .map((r) => catalogTrigger({
      schema: String(r.s),
      table: String(r.t),
      name: String(r.name),
      event: String(r.event),
      timing: String(r.timing),
      order: Number(r.ord),
      body: String(r.body),
    }));
}

/** Is fifo_write a loaded UDF? mysql.func lists them; an account that cannot read it asks the server to resolve the name. */
export async function udfLoaded(conn: Connection, name = 'fifo_write'): Promise<boolean> {
  if (!/^\w+$/.test(name)) throw new Error(`not a UDF name: ${name}`);
  try {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT name FROM mysql.func WHERE name = ?', [name]);
    return rows.length > 0;
  } catch (e) {
    if ((e as { errno?: number }).errno !== 1142) throw e; // ER_TABLEACCESS_DENIED_ERROR
  }
  try {
    // NULL arguments: fifo_write answers 'false' without touching any pipe.
    await conn.query(`SELECT ${name}(NULL, NULL)`);
    return true;
  } catch {
    return false;
  }
}
