// What webhook-worker does with one committed change of a `orders` row: the
// place for your action (call a service, refresh a cache, write a file…). It
// runs after the change committed, once per handled doorbell; a rolled-back
// change never gets here. Throwing fails that change: the runtime retries it
// with backoff, then dead-letters the doorbell and catches up from the rows.
// Doorbells for one row that wait together merge, so one call may stand for
// several changes: act on the row as it is now.
import type { Logger } from '@dbfifo/fifo-core';
import type { WebhookRow } from '../rows.ts';

export interface WebhookChange {
  /** `delete`: the row is gone; otherwise `row` is the committed row as it is now. */
  op: 'insert' | 'update' | 'delete';
  id: number;
  row?: WebhookRow;
}

export type OnChange = (change: WebhookChange, log: Logger) => Promise<void>;

/** The starter's action: a log line per change. */
export const logChange: OnChange = async (change, log) => {
  log.info({ change }, `orders row ${change.op}`);
};
