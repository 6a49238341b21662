// What the generator needs to know about a table (read by catalog.ts from
// information_schema; tests build it by hand).

export interface ColumnMeta {
  name: string;
  /** information_schema.COLUMNS.DATA_TYPE, lower case: int, varchar, datetime… */
  dataType: string;
  nullable: boolean;
  /** CHARACTER_OCTET_LENGTH: longest value in bytes for string and binary types; null for others. */
  maxBytes: number | null;
}

export interface TableMeta {
  schema: string;
  name: string;
  columns: ColumnMeta[];
  /** PRIMARY KEY columns in key order; empty when the table has none. */
  primaryKey: string[];
}

export function column(meta: TableMeta, name: string): ColumnMeta | undefined {
  return meta.columns.find((c) => c.name === name);
}
