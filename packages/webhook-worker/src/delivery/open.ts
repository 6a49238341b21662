// Everything a delivery needs, opened once: the pool, the tables' primary
// keys, the ledger (created when missing), the endpoints and the deliverer.
// The worker opens it at start; the redeliver command opens its own.
import { createPool, type Logger } from '@dbfifo/fifo-core';
import type { Pool } from 'mysql2/promise';
import type { WebhookConfig } from '../config.ts';
import { WebhookRows } from '../rows.ts';
import { Deliverer, type DelivererOptions } from './deliverer.ts';
import { Endpoints } from './endpoints.ts';
import type { TableKey } from './row-key.ts';

export interface Delivery {
  pool: Pool;
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

export async function openDelivery(
  config: WebhookConfig,
  o: { log: Logger; connections: number } & Pick<DelivererOptions, 'counted' | 'retryIn'>,
): Promise<Delivery> {
  const s = config.webhook;
  const pool = createPool(config.db, { connectionLimit: o.connections });
  try {
    const rows = new WebhookRows(pool, s.ledgerTable);
    const database = await rows.database();
    const tables = await readTableKeys(rows, s.tables);
    await rows.ensureLedger();
    const endpoints = new Endpoints(s);
    const deliverer = new Deliverer({ rows, endpoints, settings: s, scope: `${database}.${s.ledgerTable}`, counted: o.counted, retryIn: o.retryIn });
    return {
      pool,
      rows,
      tables,
      endpoints,
      deliverer,
      async close() {
        endpoints.close();
        await pool.end();
      },
    };
  } catch (e) {
    await pool.end().catch(() => {});
    throw e;
  }
}
