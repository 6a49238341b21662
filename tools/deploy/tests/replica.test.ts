// Shape 2: the triggers' work runs on a dedicated replica (article, section 6).
// A private stack (its own primary, Redis and replica) since setting up
// replication changes the primary. One table and one trigger exist on both
// servers (created on the primary, replicated); the trigger rings only where
// the server is a read-only replica. The replica applies row events with
// slave_run_triggers_for_rbr=ENFORCE, so its trigger fires for every replicated row.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type net from 'node:net';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPipe } from '@dbfifo/fifo-core';
import { ensureStack, repoRoot, waitFor, type StackEnv } from '@dbfifo/test-utils';

// The replica's port is not the default (primary + 1000), so a `replica up`
// that forgot it would show.
const STACK = { STACK_NAME: 'deploy-repl', STACK_MYSQL_PORT: '3420', STACK_REDIS_PORT: '6420', STACK_REPLICA_PORT: '4425' };
const stackTool = join(repoRoot, 'tools/stack');

interface ReplicaEnv {
  adminUrl: string;
  pipeDir: string;
  mysqlPort: number;
}

let primaryEnv: StackEnv;
let replicaEnv: ReplicaEnv;
let primary: mysql.Connection;
let replica: mysql.Connection;
const dbName = `deploy_repl_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
const pipeName = `deploy-repl-${process.pid}-${Date.now().toString(36)}`;
const readers: net.Socket[] = [];
const listening = new Map<string, string[]>();

function stack(...args: string[]): void {
  execFileSync(stackTool, args, { env: { ...process.env, ...STACK }, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** A command as a person types it once the instance exists: its name and nothing else. */
function plainStack(...args: string[]): void {
  const env: NodeJS.ProcessEnv = { ...process.env, STACK_NAME: STACK.STACK_NAME };
  for (const name of ['STACK_MYSQL_PORT', 'STACK_REDIS_PORT', 'STACK_REPLICA_PORT', 'STACK_STATE', 'STACK_PIPE_DIR']) delete env[name];
  execFileSync(stackTool, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
}

const replicaEnvJson = () => readFileSync(join(primaryEnv.stateDir, 'replica/env.json'), 'utf8');

/** Collects the lines a pipe receives; one reader per pipe (two readers would share its lines). */
async function listen(pipe: string): Promise<string[]> {
  const known = listening.get(pipe);
  if (known) return known;
  const { socket } = await openPipe(pipe, { mode: 0o660 });
  readers.push(socket);
  const lines: string[] = [];
  listening.set(pipe, lines);
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      lines.push(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  });
  return lines;
}

async function replicated(id: number): Promise<boolean> {
  const [rows] = await replica.query<mysql.RowDataPacket[]>(`SELECT id FROM \`${dbName}\`.jobs WHERE id = ?`, [id]);
  return rows.length === 1;
}

async function insertJob(task: string): Promise<{ id: number; ms: number }> {
  const started = performance.now();
  const [result] = await primary.query<mysql.ResultSetHeader>(`INSERT INTO \`${dbName}\`.jobs (task) VALUES (?)`, [task]);
  return { id: result.insertId, ms: performance.now() - started };
}

beforeAll(async () => {
  primaryEnv = ensureStack(STACK.STACK_NAME, STACK);
  stack('replica', 'up');
  replicaEnv = JSON.parse(replicaEnvJson()) as ReplicaEnv;
  primary = await mysql.createConnection({ uri: primaryEnv.adminUrl });
  replica = await mysql.createConnection({ uri: replicaEnv.adminUrl });
  // Created on the primary only: replication brings table and trigger to the replica.
  await primary.query(`CREATE DATABASE \`${dbName}\``);
  await primary.query(`CREATE TABLE \`${dbName}\`.jobs (id INT AUTO_INCREMENT PRIMARY KEY, task VARCHAR(64) NOT NULL) ENGINE=InnoDB`);
  await primary.query(
    `CREATE TRIGGER \`${dbName}\`.jobs_ring AFTER INSERT ON \`${dbName}\`.jobs FOR EACH ROW
       IF @@GLOBAL.read_only THEN
         SET @rang = fifo_write('${pipeName}', JSON_OBJECT('table', 'jobs', 'op', 'insert', 'id', NEW.id));
       END IF`,
  );
  await waitFor(
    async () => {
      const [rows] = await replica.query<mysql.RowDataPacket[]>('SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = ?', [dbName]);
      return rows.length === 1;
    },
    { message: 'the trigger to replicate', timeoutMs: 20_000 },
  );
}, 180_000);

afterAll(async () => {
  for (const r of readers) r.destroy();
  if (primary) await primary.query(`DROP DATABASE IF EXISTS \`${dbName}\``).catch(() => undefined);
  await primary?.end();
  await replica?.end();
  await rm(join(primaryEnv?.pipeDir ?? '/nonexistent', pipeName), { force: true });
  await rm(join(replicaEnv?.pipeDir ?? '/nonexistent', pipeName), { force: true });
  // Data stays: the next run resumes the replica instead of seeding it again.
  stack('replica', 'down');
  stack('down');
});

describe('triggers on a dedicated replica', () => {
  it('the replica is a GTID replica with triggers for row events, read-only, server-id 2', async () => {
    const [vars] = await replica.query<mysql.RowDataPacket[]>(
      'SELECT @@server_id AS id, @@read_only AS ro, @@slave_run_triggers_for_rbr AS trig',
    );
    // ENFORCE, not YES: with YES a row whose statement ran a trigger on the primary
    // (ours exists on both servers) runs no trigger on the replica.
    expect(vars[0]).toMatchObject({ id: 2, ro: 1, trig: 'ENFORCE' });
    const [status] = await replica.query<mysql.RowDataPacket[]>('SHOW SLAVE STATUS');
    expect(status[0]).toMatchObject({ Using_Gtid: 'Slave_Pos', Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', Master_Port: primaryEnv.mysqlPort });
    const [fmt] = await primary.query<mysql.RowDataPacket[]>('SELECT @@binlog_format AS f');
    expect(fmt[0]!.f).toBe('ROW');
  });

  it('with no reader anywhere, an insert on the primary commits at once and still replicates', async () => {
    const { id, ms } = await insertJob('nobody-listens');
    // fifo_write never waits for a reader that is not there, and the primary's
    // trigger does not ring at all; a generous bound, this is no benchmark.
    expect(ms).toBeLessThan(1000);
    await waitFor(() => replicated(id), { message: `row ${id} on the replica` });
  });

  it("a reader on the replica's pipe gets the line; the primary's pipe never sees it", async () => {
    const onReplica = await listen(join(replicaEnv.pipeDir, pipeName));
    const onPrimary = await listen(join(primaryEnv.pipeDir, pipeName));
    const { id } = await insertJob('rings-the-replica');
    await waitFor(() => onReplica.length === 1, { message: "the line on the replica's pipe" });
    expect(JSON.parse(onReplica[0]!)).toEqual({ table: 'jobs', op: 'insert', id });
    // The replica has applied the row and rung: the primary, which committed
    // first, has had every chance to ring its own pipe. It did not.
    expect(onPrimary).toEqual([]);
  });

  it('the primary does not depend on the replica: with replication stopped it commits, and the bell rings after catch-up', async () => {
    const onReplica = await listen(join(replicaEnv.pipeDir, pipeName));
    onReplica.length = 0;
    await replica.query('STOP SLAVE');
    try {
      const { id, ms } = await insertJob('while-the-replica-is-stopped');
      expect(ms).toBeLessThan(1000);
      await new Promise((r) => setTimeout(r, 300));
      expect(onReplica).toEqual([]);
      await replica.query('START SLAVE');
      await waitFor(() => onReplica.length === 1, { message: 'the late line after START SLAVE' });
      expect(JSON.parse(onReplica[0]!)).toEqual({ table: 'jobs', op: 'insert', id });
    } finally {
      await replica.query('START SLAVE');
    }
  });
});

describe('tools/stack replica is idempotent', () => {
  it('after a STOP SLAVE by hand, `replica up` starts the replication threads again, without waiting out a timeout', async () => {
    await replica.query('STOP SLAVE');
    const started = performance.now();
    try {
      plainStack('replica', 'up');
    } catch (e) {
      await replica.query('START SLAVE'); // the next test needs a running replica
      throw e;
    }
    expect(performance.now() - started).toBeLessThan(15_000);
    const [status] = await replica.query<mysql.RowDataPacket[]>('SHOW SLAVE STATUS');
    expect(status[0]).toMatchObject({ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes' });
    const { id } = await insertJob('after-replica-up-restarted-replication');
    await waitFor(() => replicated(id), { message: `row ${id} on the replica` });
  });

  it('remembers its port: after `replica down`, a plain `replica up` comes back on it and leaves env.json as it was', async () => {
    expect(replicaEnv.mysqlPort).toBe(Number(STACK.STACK_REPLICA_PORT));
    const before = replicaEnvJson();
    await replica.end();
    plainStack('replica', 'down');
    plainStack('replica', 'up');
    expect(replicaEnvJson()).toBe(before);
    replica = await mysql.createConnection({ uri: replicaEnv.adminUrl });
    const [vars] = await replica.query<mysql.RowDataPacket[]>('SELECT @@port AS port');
    expect(vars[0]!.port).toBe(Number(STACK.STACK_REPLICA_PORT));
  });
});
