// webhook-worker as a fifo-core WorkerDefinition: each committed change of a
// row of WEBHOOK_TABLES is POSTed as JSON to its table's URL, once, in order
// per row (src/delivery/). Doorbells only say which rows to look at; the
// ledger says what each receiver has, so retries, reconcile and
// redeliveries all send a row as it is now. The runtime does reading,
// merging, batching, queue mode and shutdown.
import { setMaxListeners } from 'node:events';
import { Counter, createPool, RolledBackError, type BatchWorkerDefinition, type Helpers, type Message } from '@dbfifo/fifo-core';
import { busyWaitMs, type WebhookConfig } from './config.ts';
import type { Result } from './delivery/deliverer.ts';
import { openDelivery, readTableKeys, type Delivery } from './delivery/open.ts';
import { reconcileTable } from './delivery/reconcile-table.ts';
import { RetryTimer } from './delivery/retry-timer.ts';
import { retryDue } from './delivery/retries.ts';
import type { TableKey } from './delivery/row-key.ts';
import { parseWebhookLine, type WebhookLine, type WebhookOp } from './line.ts';
import { WebhookRows } from './rows.ts';

/** How often a process with no retry scheduled looks at the ledger's. */
const IDLE_LOOK_MS = 60_000;

/** What became of the changes, for a person (or a test) to read. */
export interface WebhookStats {
  delivered: number;
  /** Tries that failed and were scheduled again. */
  failed: number;
  deadLettered: number;
  rolledBack: number;
}

export interface WebhookWorker extends BatchWorkerDefinition<WebhookConfig, WebhookLine> {
  readonly stats: WebhookStats;
}

/** What a row's result means to the runtime: handled (the ledger holds the rest), rolled back, or try the doorbell again. */
function outcome(r: Result | undefined, line: WebhookLine, c: WebhookConfig['webhook']): Error | undefined {
  switch (r) {
    case 'rolled-back':
      return new RolledBackError(`${line.table} ${line.row.text}: no committed row and nothing delivered (rolled back, or deleted before its first delivery)`);
    case 'uncommitted':
      return new Error(`${line.table} ${line.row.text}: still uncommitted after ${c.rowWaitMs} ms`);
    case 'busy':
      return new Error(`${line.table} ${line.row.text}: another delivery of this row did not end in time`);
    case 'aborted':
      return new Error(`${line.table} ${line.row.text}: shutdown before it was delivered`);
    case undefined:
      return new Error(`${line.table} ${line.row.text}: not delivered`);
    default:
      return undefined;
  }
}

export function createWebhookWorker(): WebhookWorker {
  let delivery: Delivery | undefined;
  let timer: RetryTimer | undefined;
  let tables = new Map<string, TableKey>();
  const stats: WebhookStats = { delivered: 0, failed: 0, deadLettered: 0, rolledBack: 0 };

  function runsHandlers(h: Helpers<WebhookConfig>): boolean {
    return h.config.runtime.mode === 'direct' || h.config.runtime.role !== 'relay';
  }

  return {
    name: 'webhook-worker',
    stats,
    // Up to 100 doorbells per batch, 4 batches at once; WEBHOOK_CONCURRENCY caps the requests per endpoint.
    defaults: { concurrency: 4, batchMax: 100 },

    parse: (message) => parseWebhookLine(message, tables),

    // One row: its pending doorbells merge, and it is in one batch at a time.
    key: (message) => `${message.body.table}:${message.body.row.text}`,

    async start(h) {
      if (!runsHandlers(h)) {
        // A relay only parses lines (for their keys): the tables' primary keys are all it needs.
        const pool = createPool(h.config.db, { connectionLimit: 1 });
        tables = await readTableKeys(new WebhookRows({ queries: pool, locks: pool }, h.config.webhook.ledgerTable), h.config.webhook.tables).finally(() => pool.end());
        return;
      }
      // Every request waiting for its endpoint's gate, and every request in flight, listens on the
      // shutdown signal: a batch's worth per running batch, and the retries' and reconcile's pages.
      const { concurrency, batchMax } = h.config.runtime;
      setMaxListeners(Math.max(100, 2 * (concurrency * batchMax + 2 * h.config.webhook.reconcileBatch) + 10), h.signal);
      const deliveries = new Counter({ name: 'webhook_deliveries_total', help: 'webhook deliveries by result: delivered, failed (retry scheduled), dead_lettered', labelNames: ['result'], registers: [h.registry] });
      delivery = await openDelivery(h.config, {
        log: h.log,
        connections: 2 * concurrency + 4,
        // One delivery per table of each running batch, the retries and reconcile.
        lockSessions: concurrency * h.config.webhook.tables.length + 2,
        counted: (result, n) => {
          if (n === 0) return;
          deliveries.inc({ result }, n);
          if (result === 'delivered') stats.delivered += n;
          else if (result === 'failed') stats.failed += n;
          else stats.deadLettered += n;
        },
        retryIn: (ms) => timer?.wake(ms),
      });
      tables = delivery.tables;
      const d = delivery;
      // Also looks at the ledger now and then when nothing is scheduled here: a redelivery that
      // failed again, or retries another process scheduled before it stopped.
      timer = new RetryTimer(
        async () => (await retryDue({ rows: d.rows, deliverer: d.deliverer, tables, batch: h.config.webhook.reconcileBatch, signal: h.signal, log: h.log })) ?? IDLE_LOOK_MS,
        (e) => h.log.error({ err: e }, 'webhook retries failed: trying again'),
      );
      timer.wake(0); // retries an earlier run left scheduled
    },

    async handleBatch(messages: readonly Message<WebhookLine>[], h) {
      const c = h.config.webhook;
      const byTable = new Map<string, Message<WebhookLine>[]>();
      for (const m of messages) byTable.set(m.body.table, [...(byTable.get(m.body.table) ?? []), m]);
      const results = new Map<string, Result>();
      await Promise.all([...byTable].map(async ([table, ms]) => {
        const ops = new Map<string, WebhookOp>(ms.map((m) => [m.body.row.text, m.body.op]));
        // A row a retry or reconcile is delivering now is waited for (busyWaitMs).
        const out = await delivery!.deliverer.deliver(tables.get(table)!, ms.map((m) => m.body.row), { retrying: false, ops, waitBusyMs: busyWaitMs(c), signal: h.signal, log: h.log });
        for (const [text, r] of out) results.set(`${table}:${text}`, r);
      }));
      return messages.map((m) => {
        const r = results.get(`${m.body.table}:${m.body.row.text}`);
        if (r === 'rolled-back') stats.rolledBack++;
        return outcome(r, m.body, c);
      });
    },

    // Lost doorbells: every table compared with the ledger (src/delivery/reconcile-table.ts).
    async reconcile(h) {
      const c = h.config.webhook;
      const report = { fixed: 0, compared: 0, deletes: 0, unsettled: 0 };
      for (const t of tables.values()) {
        const r = await reconcileTable(t, { rows: delivery!.rows, deliverer: delivery!.deliverer, batch: c.reconcileBatch, waitBusyMs: busyWaitMs(c), signal: h.signal, log: h.log });
        report.fixed += r.delivered;
        report.compared += r.compared;
        report.deletes += r.deletes;
        report.unsettled += r.unsettled;
      }
      timer?.wake(0); // and the ledger's retries, whoever scheduled them
      return { ...report, more: report.unsettled > 0 };
    },

    async stop() {
      await timer?.stop();
      timer = undefined;
      await delivery?.close();
      delivery = undefined;
    },
  };
}

/** The worker `src/main.ts` serves. */
export const webhookWorker = createWebhookWorker();
