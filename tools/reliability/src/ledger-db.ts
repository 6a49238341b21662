// A throw-away database for one case: `items` (the truth) with a trigger that
// rings the case's pipe, `handled` (the effect, one row per item at most) and
// `invocations` (every handler call), plus the counts each case prints.
import { basename } from 'node:path';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { addTriggers, insertDoorbell } from '@dbfifo/fifo-core/trigger';
import { urlForDatabase, type StackEnv } from '@dbfifo/test-utils';

export interface LedgerDb {
  name: string;
  url: string;
  conn: mysql.Connection;
  counts(): Promise<LedgerCounts>;
  drop(): Promise<void>;
}

export interface LedgerCounts {
  items: number;
  /** Items with their effect applied (at most one row per item by the primary key). */
  handled: number;
  /** handled rows whose item does not exist: effects of rolled-back rows. */
  handledWithoutItem: number;
  /** Items without an effect: lost. */
  missing: number;
  /** Deliveries beyond the first, absorbed by the idempotent handler. */
  redeliveries: number;
  viaLine: number;
  viaReconcile: number;
  invocations: number;
}

export async function createLedgerDb(stack: StackEnv, prefix: string, pipe: string): Promise<LedgerDb> {
  const name = `rel_${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
  const admin = await mysql.createConnection({ uri: stack.adminUrl });
  await admin.query(`CREATE DATABASE \`${name}\``);
  await admin.end();
  const url = urlForDatabase(stack, name);
  const conn = await mysql.createConnection({ uri: url });
  await conn.query('CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB');
  await conn.query(`CREATE TABLE handled (item_id INT PRIMARY KEY, via VARCHAR(16) NOT NULL, deliveries INT NOT NULL DEFAULT 1) ENGINE=InnoDB`);
  await conn.query('CREATE TABLE invocations (id BIGINT AUTO_INCREMENT PRIMARY KEY, item_id BIGINT NOT NULL) ENGINE=InnoDB');
  // The doorbell trigger as users get theirs: from `dbfifo trigger add`.
  // (A case's pipe lives in its stack's pipe directory: fifo.so finds it by its bare name.)
  await addTriggers(conn, name, 'items', insertDoorbell(basename(pipe)));
  const db: LedgerDb = {
    name,
    url,
    conn,
    async counts() {
      const [[c]] = await db.conn.query<RowDataPacket[]>(`SELECT
          (SELECT COUNT(*) FROM items) AS items,
          (SELECT COUNT(*) FROM handled) AS handled,
          (SELECT COUNT(*) FROM handled h LEFT JOIN items i ON i.id = h.item_id WHERE i.id IS NULL) AS handledWithoutItem,
          (SELECT COUNT(*) FROM items i LEFT JOIN handled h ON h.item_id = i.id WHERE h.item_id IS NULL) AS missing,
          (SELECT COALESCE(SUM(deliveries - 1), 0) FROM handled) AS redeliveries,
          (SELECT COUNT(*) FROM handled WHERE via = 'line') AS viaLine,
          (SELECT COUNT(*) FROM handled WHERE via = 'reconcile') AS viaReconcile,
          (SELECT COUNT(*) FROM invocations) AS invocations`);
      return Object.fromEntries(Object.entries(c!).map(([k, v]) => [k, Number(v)])) as unknown as LedgerCounts;
    },
    async drop() {
      await db.conn.end().catch(() => {});
      const a = await mysql.createConnection({ uri: stack.adminUrl });
      await a.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await a.end();
    },
  };
  return db;
}

/** Reconnect (the server may have restarted under us). */
export async function reconnect(db: LedgerDb): Promise<void> {
  await db.conn.end().catch(() => {});
  db.conn = await mysql.createConnection({ uri: db.url });
}
