// Database helpers every worker needs: a mysql2 promise pool from DATABASE_URL,
// and waitForRow / readCommitted for the "trigger fired before COMMIT" race.
import mysql from 'mysql2/promise';
import type { DatabaseConfig } from './config.ts';

export { waitForRow } from './wait-for-row.ts';
export { readCommitted, readCommittedOutcome, readCommittedMany } from './read-committed.ts';

export function createPool(db: DatabaseConfig, o: { connectionLimit?: number } = {}): mysql.Pool {
  return mysql.createPool({
    uri: db.url.replace(/^mariadb:/i, 'mysql:'),
    connectionLimit: o.connectionLimit ?? 10,
    waitForConnections: true,
    // Rows are read back as they are stored; dates stay Date objects.
    supportBigNumbers: true,
    enableKeepAlive: true,
  });
}
