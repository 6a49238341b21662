// What one line on the `webhook` pipe means: the doorbell the triggers of
// sql/webhook/schema.sql ring, {"table":"orders","op":"insert","id":42}
// (`dbfifo trigger add orders --pipe webhook`). The row is the truth: the
// line only says which row to read.
import type { Message } from '@dbfifo/fifo-core';
import { WebhookLineError } from './errors.ts';
import { TABLE } from './rows.ts';

export const OPS = ['insert', 'update', 'delete'] as const;
export type WebhookOp = (typeof OPS)[number];

export interface WebhookLine {
  table: string;
  op: WebhookOp;
  /** The row's primary key (`id`). */
  id: number;
}

export function parseWebhookLine(message: Message<unknown>): WebhookLine {
  const j = message.json;
  if (j === null || typeof j !== 'object' || Array.isArray(j)) throw new WebhookLineError('the line is not a JSON object', 'NOT_A_DOORBELL');
  const { table, op, id } = j as Record<string, unknown>;
  if (typeof table !== 'string' || !OPS.includes(op as WebhookOp) || typeof id !== 'number' || !Number.isSafeInteger(id)) {
    throw new WebhookLineError('a doorbell is {"table":"…","op":"insert|update|delete","id":<integer>}', 'NOT_A_DOORBELL');
  }
  if (table !== TABLE) throw new WebhookLineError(`doorbell for table ${JSON.stringify(table)}: this worker handles ${TABLE}`, 'UNKNOWN_TABLE');
  return { table, op: op as WebhookOp, id };
}
