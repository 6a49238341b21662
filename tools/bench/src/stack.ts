// The benchmark's own stack instance and a fresh database per scenario run.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import mysql from 'mysql2/promise';
import { ensureStack, urlForDatabase, type StackEnv } from '@dbfifo/test-utils';
import type { BenchConfig } from './config.ts';

export interface BenchDb {
  stack: StackEnv;
  name: string;
  url: string;
  /** A new connection to the bench database (caller closes it). */
  connect(options?: mysql.ConnectionOptions): Promise<mysql.Connection>;
  drop(): Promise<void>;
}

export async function benchStack(config: BenchConfig): Promise<StackEnv> {
  const stack = ensureStack(config.stack.name, {
    STACK_MYSQL_PORT: config.stack.mysqlPort,
    STACK_REDIS_PORT: config.stack.redisPort,
  });
  return stack;
}

export async function createBenchDb(stack: StackEnv, scenario: string): Promise<BenchDb> {
  const name = `bench_${scenario.replace(/[^a-z0-9]/gi, '_')}_${process.pid}`;
  const url = urlForDatabase(stack, name);
  const admin = await mysql.createConnection({ uri: stack.adminUrl });
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.query(`CREATE DATABASE \`${name}\``);
  await admin.end();
  const connect = (options: mysql.ConnectionOptions = {}) => mysql.createConnection({ uri: url, ...options });
  return {
    stack,
    name,
    url,
    connect,
    drop: async () => {
      const c = await mysql.createConnection({ uri: stack.adminUrl });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

export interface Machine {
  cpus: string;
  memory: string;
  kernel: string;
  mariadb: string;
  node: string;
  date: string;
  /** 1-minute load average when the scenario finished: the 2 cores are shared with other work. */
  load: string;
  server: string;
}

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

export async function machineInfo(stack: StackEnv): Promise<Machine> {
  const c = await mysql.createConnection({ uri: stack.adminUrl });
  const [rows] = await c.query(
    "SELECT VERSION() AS v, CONCAT('innodb_flush_log_at_trx_commit=', @@innodb_flush_log_at_trx_commit, ', sync_binlog=', @@sync_binlog, ', binlog_format=', @@binlog_format, ', innodb_buffer_pool_size=', @@innodb_buffer_pool_size DIV 1048576, 'M') AS s",
  );
  await c.end();
  const mem = sh('free', ['-h']).split('\n').find((l) => l.startsWith('Mem:'))?.split(/\s+/)[1] ?? 'unknown';
  return {
    cpus: sh('nproc', []),
    memory: mem,
    kernel: sh('uname', ['-r']),
    mariadb: String((rows as { v: string }[])[0]?.v),
    node: process.version,
    date: new Date().toISOString(),
    load: os.loadavg().map((l) => l.toFixed(2)).join(' '),
    server: String((rows as { s: string }[])[0]?.s),
  };
}
