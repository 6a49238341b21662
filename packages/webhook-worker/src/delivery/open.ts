// Everything a delivery needs, opened once: the pool, the tables' primary
// keys, the ledger (created when missing), the endpoints and the deliverer.
// The worker opens it at start; the redeliver command opens its own.
import { createPool, type Logger } from '@dbfifo/fifo-core';
import type { WebhookConfig } from '../config.ts';
import { WebhookRows } from '../rows.ts';
import { Deliverer, type DelivererOptions } from './deliverer.ts';
import { Endpoints } from './endpoints.ts';
import type { TableKey } from './row-key.ts';

export interface Delivery {
  rows: WebhookRows;
  tables: Map<string, TableKey>;
  endpoints: Endpoints;
  deliverer: Deliverer;
  close(): Promise<void>;
}

/** The primary keys of WEBHOOK_TABLES, read before the first line is parsed. */
export async function readTableKeys(rows: WebhookRows, tables: string[]): Promise<Map<string, TableKey>> {
  const out = new Map<string, TableKey>();
  for (const t of tables) out.set(t, await rows.tableKey(t));
  return out;
}

/**
 * `connections`: the pool for statements; `lockSessions`: the deliveries that
 * may run at once (each holds one connection for its rows' locks).
 */
export async function openDelivery(
  config: WebhookConfig,
  o: { log: Logger; connections: number; lockSessions: number } & Pick<DelivererOptions, 'counted' | 'retryIn'>,
): Promise<Delivery> {
  const s = config.webhook;
  const pools = { queries: createPool(config.db, { connectionLimit: o.connections }), locks: createPool(config.db, { connectionLimit: o.lockSessions }) };
  const end = () => Promise.all([pools.queries.end(), pools.locks.end()]).then(() => undefined);
  try {
    const rows = new WebhookRows(pools, s.ledgerTable);
    const database = await rows.database();
    const tables = await readTableKeys(rows, s.tables);
    await rows.ensureLedger();
    const endpoints = new Endpoints(s);
    const deliverer = new Deliverer({ rows, endpoints, settings: s, scope: `${database}.${s.ledgerTable}`, counted: o.counted, retryIn: o.retryIn });
    return {
      rows,
      tables,
      endpoints,
      deliverer,
      async close() {
        endpoints.close();
        await end();
      },
    };
  } catch (e) {
    await end().catch(() => {});
    throw e;
  }
}
