// One firewall test world: a throw-away database with sql/firewall/schema.sql
// whose doorbells ring a unique pipe in the stack's pipe directory, two
// network namespaces, and the worker running on fifo-core's real runtime with
// its firewall in `srv`.
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorker, createLogger, type RunningWorker } from '@dbfifo/fifo-core';
import { connect, createTestDatabase, stackEnv, uniquePipePath, removePipe, type TestDatabase } from '@dbfifo/test-utils';
import type { Connection } from 'mysql2/promise';
import { loadFirewallConfig, type FirewallConfig } from '../src/config.ts';
import { createFirewallWorker, type FirewallWorker } from '../src/worker.ts';
import { ringPipe, silenceDoorbells } from './doorbells.ts';
import { TestNet } from './netns.ts';

// Other packages' tests reach this file as `@dbfifo/firewall-worker/testing`.
export { netnsUnavailable } from './netns.ts';
export { ringPipe, silenceDoorbells } from './doorbells.ts';

export const schemaFile = resolve(fileURLToPath(import.meta.url), '../../../../sql/firewall/schema.sql');

export interface World {
  net: TestNet;
  db: TestDatabase;
  sql: Connection;
  worker: FirewallWorker;
  running: RunningWorker;
  config: FirewallConfig;
  pipe: string;
  /** Doorbells on (true: the schema's triggers, ringing this world's pipe) or off (dropped: rows change silently). */
  doorbells(on: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function createWorld(tag: string, env: Record<string, string> = {}): Promise<World> {
  const stack = stackEnv();
  const net = new TestNet(tag);
  await net.create();
  const db = await createTestDatabase(`firewall_worker_${tag}`, [schemaFile]);
  const sql = await connect(db.url);
  const pipe = uniquePipePath(`firewall-${tag}`);
  await sql.query('UPDATE fw_settings SET hit_threshold = 5, hit_window_seconds = 60, ban_seconds = 3600');
  const doorbells = (on: boolean) => (on ? ringPipe(sql, db.name, schemaFile, basename(pipe)) : silenceDoorbells(sql, db.name));
  await doorbells(true);
  const config = loadFirewallConfig({
    DATABASE_URL: db.url,
    DBFIFO_PIPE_DIR: stack.pipeDir,
    DBFIFO_PIPE: pipe,
    DBFIFO_PIPE_MODE: '0666',
    DBFIFO_RECONCILE_INTERVAL_MS: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'fatal', // refusals are logged (once, at warn) on purpose; set LOG_LEVEL to see them
    FIREWALL_NETNS: net.srv,
    FIREWALL_ALLOWLIST: '10.77.0.9,fd77::9',
    ...env,
  });
  const worker = createFirewallWorker();
  const running = startWorker(worker, config, { logger: createLogger(worker.name, config.runtime.logLevel) });
  await running.ready;
  return {
    net, db, sql, worker, running, config, pipe, doorbells,
    async close() {
      await running.stop().catch(() => undefined);
      await sql.end().catch(() => undefined);
      await db.drop().catch(() => undefined);
      await removePipe(pipe).catch(() => undefined);
      await removePipe(`${pipe}.dead`).catch(() => undefined);
      await net.remove();
    },
  };
}

/** n hits of one address, as the web application would log them. */
export async function hit(sql: Connection, address: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await sql.query('INSERT INTO access_log (address, path) VALUES (?, ?)', [address, `/page/${i}`]);
}

export async function setMembers(net: TestNet, set: string): Promise<string[]> {
  const out = await net.inSrv('ipset', 'save', set);
  return out.split('\n').filter((l) => l.startsWith('add ')).map((l) => l.split(' ')[2]!);
}
