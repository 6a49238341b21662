// webhook-worker as a fifo-core WorkerDefinition: a batch of doorbells from the
// `webhook` pipe, their rows read as committed in one query, each change handed
// to onChange (src/changes/). The runtime does reading, merging, batching,
// retries, queue mode and shutdown (packages/fifo-core/README.md).
import { createPool, RolledBackError, type BatchWorkerDefinition, type Message } from '@dbfifo/fifo-core';
import type { Pool } from 'mysql2/promise';
import { logChange, type WebhookChange, type OnChange } from './changes/on-change.ts';
import type { WebhookConfig } from './config.ts';
import { parseWebhookLine, type WebhookLine } from './line.ts';
import { WebhookRows } from './rows.ts';

/** What happened to the doorbells, for a person (or a test) to read. */
export interface WebhookStats {
  changes: number;
  rolledBack: number;
}

export interface WebhookWorker extends BatchWorkerDefinition<WebhookConfig, WebhookLine> {
  readonly stats: WebhookStats;
}

export function createWebhookWorker(o: { onChange?: OnChange } = {}): WebhookWorker {
  const onChange = o.onChange ?? logChange;
  let pool: Pool | undefined;
  let rows: WebhookRows;
  const stats: WebhookStats = { changes: 0, rolledBack: 0 };

  return {
    name: 'webhook-worker',
    stats,
    // Batches of up to 100 doorbells, two at once: one commit-wait per batch.
    defaults: { concurrency: 2, batchMax: 100 },

    parse: (message) => parseWebhookLine(message),

    // One row: its pending doorbells merge, and it is never in two batches at once.
    key: (message) => `${message.body.table}:${message.body.id}`,

    async start(h) {
      pool = createPool(h.config.db, { connectionLimit: h.config.runtime.concurrency + 1 });
      rows = new WebhookRows(pool);
    },

    async handleBatch(messages: readonly Message<WebhookLine>[], h) {
      const { rowWaitMs } = h.config.webhook;
      const found = await rows.committed(messages.map((m) => m.body.id), { timeoutMs: rowWaitMs, signal: h.signal });
      return Promise.all(
        messages.map(async ({ body: { op, id } }) => {
          const got = found.get(id)!;
          let change: WebhookChange;
          if (got.state === 'committed') change = { op: op === 'delete' ? 'update' : op, id, row: got.row };
          else if (got.state === 'absent' && op === 'delete') change = { op: 'delete', id };
          else if (got.state === 'absent') {
            stats.rolledBack++;
            // Counted by the runtime (dbfifo_rows_rolled_back_total); nothing is done.
            return new RolledBackError(`orders row ${id}: no committed row (rolled back, or deleted since)`);
          } else {
            // 'timeout' (a transaction longer than WEBHOOK_ROW_WAIT_MS) or 'aborted' (shutdown): tried again later.
            return new Error(`orders row ${id}: ${got.state === 'timeout' ? `still uncommitted after ${rowWaitMs} ms` : 'shutdown before its transaction ended'}`);
          }
          try {
            await onChange(change, h.log);
            stats.changes++;
            return undefined;
          } catch (e) {
            return e instanceof Error ? e : new Error(String(e));
          }
        }),
      );
    },

    // Bring the world in line with `orders`: a doorbell lost while no worker
    // read the pipe (or while it was full) is found only here, at start, on
    // catch-up and every DBFIFO_RECONCILE_INTERVAL_MS. The starter keeps no
    // record of what it handled, so it has nothing to compare the rows with:
    // record it (a column, a table of your own; webhook-worker keeps a ledger)
    // and handle here the rows whose last change was not handled. Return
    // `{ fixed, more: true }` when a bounded pass left some for the next one.
    async reconcile() {
      return { fixed: 0 };
    },

    async stop() {
      await pool?.end();
      pool = undefined;
    },
  };
}

/** The worker `src/main.ts` serves. */
export const webhookWorker = createWebhookWorker();
