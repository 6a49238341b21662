// Throw-away databases for tests: each suite gets its own, so suites of
// different packages can share one server.
import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { stackEnv, type StackEnv } from './stack-env.ts';

const run = promisify(execFile);

export interface TestDatabase {
  name: string;
  /** mysql:// URL for the dbfifo_admin user on this database. */
  url: string;
  /** Runs more SQL files (DELIMITER-aware: the real mariadb client). */
  load(file: string): Promise<void>;
  drop(): Promise<void>;
}

export function urlForDatabase(stack: StackEnv, database: string): string {
  const url = new URL(stack.adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Loads a SQL file through the mariadb command-line client (argument array,
 * no shell), so `DELIMITER` blocks in trigger files work as they do for users.
 */
export async function loadSqlFile(stack: StackEnv, database: string, file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await new Promise<void>((resolveRun, reject) => {
      const child = execFile(
        stack.mariadbClient,
        ['--no-defaults', `--socket=${stack.mysqlSocket}`, '-uroot', database],
        (error, _stdout, stderr) => (error ? reject(new Error(`loading ${file}: ${stderr || error.message}`)) : resolveRun()),
      );
      const input = handle.createReadStream();
      input.pipe(child.stdin!);
    });
  } finally {
    await handle.close();
  }
}

/** Creates `<prefix>_<random>` and loads the given SQL files into it. */
export async function createTestDatabase(prefix: string, sqlFiles: string[] = []): Promise<TestDatabase> {
  const stack = stackEnv();
  const name = `${prefix.replace(/[^a-zA-Z0-9_]/g, '_')}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await run(stack.mariadbClient, ['--no-defaults', `--socket=${stack.mysqlSocket}`, '-uroot', '-e', `CREATE DATABASE \`${name}\``]);
  const db: TestDatabase = {
    name,
    url: urlForDatabase(stack, name),
    load: (file) => loadSqlFile(stack, name, file),
    drop: async () => {
      await run(stack.mariadbClient, ['--no-defaults', `--socket=${stack.mysqlSocket}`, '-uroot', '-e', `DROP DATABASE IF EXISTS \`${name}\``]);
    },
  };
  for (const file of sqlFiles) await db.load(file);
  return db;
}

/** A mysql2 connection to a test database (caller closes it). */
export function connect(url: string, options: mysql.ConnectionOptions = {}): Promise<mysql.Connection> {
  return mysql.createConnection({ uri: url, ...options });
}
