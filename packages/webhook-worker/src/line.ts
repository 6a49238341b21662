// What one line on the `webhook` pipe means: the doorbell a `dbfifo trigger
// add <table> --pipe webhook` trigger rings, {"table":"orders","op":"update",
// "id":{"shop_id":1,"order_no":"A-7"}} (a single-column key: "id":42). The row
// is the truth: the line only says which row to read and deliver.
import type { Message } from '@dbfifo/fifo-core';
import { partsOfDoorbell, rowRef, type RowRef, type TableKey } from './delivery/row-key.ts';
import { WebhookLineError } from './errors.ts';

export const OPS = ['insert', 'update', 'delete'] as const;
export type WebhookOp = (typeof OPS)[number];

export interface WebhookLine {
  table: string;
  op: WebhookOp;
  /** The row, by its primary key's values. */
  row: RowRef;
}

/** `tables`: the primary keys of WEBHOOK_TABLES, read at start. */
export function parseWebhookLine(message: Message<unknown>, tables: ReadonlyMap<string, TableKey>): WebhookLine {
  const j = message.json;
  if (j === null || typeof j !== 'object' || Array.isArray(j)) throw new WebhookLineError('the line is not a JSON object', 'NOT_A_DOORBELL');
  const { table, op, id } = j as Record<string, unknown>;
  if (typeof table !== 'string' || !OPS.includes(op as WebhookOp) || id === undefined) {
    throw new WebhookLineError('a doorbell is {"table":"…","op":"insert|update|delete","id":…}', 'NOT_A_DOORBELL');
  }
  const key = tables.get(table);
  if (!key) throw new WebhookLineError(`doorbell for table ${JSON.stringify(table)}, which WEBHOOK_TABLES (${[...tables.keys()].join(',')}) does not list`, 'UNKNOWN_TABLE');
  const parts = partsOfDoorbell(key, id);
  if (typeof parts === 'string') throw new WebhookLineError(parts, 'BAD_KEY');
  return { table, op: op as WebhookOp, row: rowRef(parts) };
}
