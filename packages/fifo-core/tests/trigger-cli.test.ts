// `dbfifo trigger` as an operator runs it, against the real server with fifo.so:
// the CLI installs triggers on a table, the pipe gets one doorbell per changed row
// (read by `dbfifo watch` or by the test itself), check reports drift after an
// ALTER TABLE, the user's own triggers are never touched, and every bad input is
// refused with nothing left installed.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { createTestDatabase, stackEnv, waitFor, type StackEnv, type TestDatabase } from '@dbfifo/test-utils';
import { LineFramer } from '../src/line-framer.ts';
import { openPipe } from '../src/pipe-open.ts';
import { requireFifoWrite } from '../src/trigger/install.ts';
import { udfLoaded } from '../src/trigger/catalog.ts';
import { quoteIdent } from '../src/trigger/sql-text.ts';

const bin = path.join(import.meta.dirname, '..', 'bin', 'dbfifo.mjs');
let stack: StackEnv;
let tdb: TestDatabase;
let conn: Connection;
const cleanups: (() => Promise<unknown> | void)[] = [];

interface Run { code: number; stdout: string; stderr: string }

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = { PATH: process.env.PATH!, DBFIFO_ADMIN_URL: stack.adminUrl, DBFIFO_PIPE_DIR: stack.pipeDir, DBFIFO_PIPE_MODE: '0660' };
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'trigger', ...args], { env: { ...base, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

let pipeCounter = 0;
/** A bare pipe name of letters, digits and _ (so a second-pipe trigger name shows it). */
const pipeName = () => `trig_${process.pid}_${pipeCounter++}`;

/** Opens the pipe as a worker would and collects its lines. */
async function readPipe(name: string) {
  const file = path.join(stack.pipeDir, name);
  const lines: string[] = [];
  const framer = new LineFramer(4096);
  const { socket } = await openPipe(file, { mode: 0o660 });
  socket.on('data', (c: Buffer) => {
    for (const f of framer.push(c)) if (f.kind === 'line') lines.push(f.text);
  });
  const close = async () => {
    socket.destroy();
    await fs.promises.rm(file, { force: true });
  };
  cleanups.push(close);
  return { lines, close };
}

async function rows<T = RowDataPacket>(sql: string, params: unknown[] = []): Promise<T[]> {
  const [r] = await conn.query<RowDataPacket[]>(sql, params);
  return r as T[];
}

/** Trigger names on a table, in the server's order. */
async function triggersOn(table: string, db = tdb.name): Promise<string[]> {
  const r = await rows<{ n: string }>(
    `SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? AND EVENT_OBJECT_TABLE = ?
      ORDER BY EVENT_MANIPULATION, ACTION_ORDER`, [db, table]);
  return r.map((x) => x.n);
}

beforeAll(async () => {
  stack = stackEnv();
  tdb = await createTestDatabase('trigger_cli');
  conn = await mysql.createConnection({ uri: tdb.url, charset: 'utf8mb4' });
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await conn?.end();
  await tdb?.drop();
});

describe('dbfifo trigger on orders with a composite primary key', () => {
  let pipe: string;
  beforeAll(async () => {
    pipe = pipeName();
    await conn.query(`CREATE TABLE orders (shop_id INT NOT NULL, order_no VARCHAR(20) NOT NULL, status VARCHAR(20) NOT NULL DEFAULT 'new',
      note VARCHAR(100) NULL, PRIMARY KEY (shop_id, order_no)) ENGINE=InnoDB`);
    await conn.query('CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(40) NOT NULL)');
    // The user's own trigger on the same event: dbfifo's must run beside it, after it.
    await conn.query("CREATE TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW INSERT INTO audit (what) VALUES (CONCAT('insert ', NEW.order_no))");
  });

  it('--dry-run prints the SQL and changes nothing', async () => {
    const before = await triggersOn('orders');
    const r = await cli(['add', `${tdb.name}.orders`, '--pipe', pipe, '--columns', 'status', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('DELIMITER //');
    expect(r.stdout).toContain(`CREATE TRIGGER \`${tdb.name}\`.\`dbfifo_orders_insert\` AFTER INSERT ON \`${tdb.name}\`.\`orders\` FOR EACH ROW FOLLOWS \`orders_audit\``);
    expect(await triggersOn('orders')).toEqual(before);
  });

  it('add installs AFTER triggers; `dbfifo watch` shows one doorbell per inserted, updated and deleted row; an UPDATE of no listed column rings nothing', async () => {
    const watcher = spawn(process.execPath, [bin, 'watch', pipe], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH!, DBFIFO_PIPE_DIR: stack.pipeDir, DBFIFO_PIPE_MODE: '0660' },
    });
    let out = '';
    let err = '';
    watcher.stdout.on('data', (c: Buffer) => (out += c.toString()));
    watcher.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise((r) => watcher.on('exit', r));
    cleanups.push(() => fs.promises.rm(path.join(stack.pipeDir, pipe), { force: true }));
    await waitFor(() => err.includes('watching'), { message: 'dbfifo watch to open the pipe' });

    const add = await cli(['add', `${tdb.name}.orders`, '--pipe', pipe, '--columns', 'status']);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('installed `dbfifo_orders_insert` (AFTER INSERT, after `orders_audit`), `dbfifo_orders_update` (AFTER UPDATE), `dbfifo_orders_delete` (AFTER DELETE)');

    await conn.query("INSERT INTO orders (shop_id, order_no) VALUES (1, 'A-7'), (2, 'B-1')");
    await conn.query("UPDATE orders SET status = 'paid' WHERE shop_id = 1");
    await conn.query("UPDATE orders SET note = 'no doorbell'"); // not a listed column
    await conn.query('UPDATE orders SET status = status'); // listed, but nothing changed
    await conn.query('DELETE FROM orders WHERE shop_id = 2');
    // Lines of one connection arrive in order: a doorbell of the two silent UPDATEs would come before the DELETE's.
    await waitFor(() => out.includes('"op":"delete"'), { message: 'the delete doorbell' });
    const lines = out.trimEnd().split('\n').map((l) => l.replace(/^\[[^\]]+\] \[OK\] /, ''));
    expect(lines).toEqual([
      '{"table":"orders","op":"insert","id":{"shop_id":1,"order_no":"A-7"}}',
      '{"table":"orders","op":"insert","id":{"shop_id":2,"order_no":"B-1"}}',
      '{"table":"orders","op":"update","id":{"shop_id":1,"order_no":"A-7"}}',
      '{"table":"orders","op":"delete","id":{"shop_id":2,"order_no":"B-1"}}',
    ]);
    // The user's trigger ran first and still runs.
    expect((await rows<{ what: string }>('SELECT what FROM audit ORDER BY id')).map((r) => r.what)).toEqual(['insert A-7', 'insert B-1']);
    const order = await rows<{ n: string; o: number }>(
      "SELECT TRIGGER_NAME AS n, ACTION_ORDER AS o FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? AND EVENT_MANIPULATION = 'INSERT' ORDER BY ACTION_ORDER", [tdb.name]);
    expect(order.map((r) => r.n)).toEqual(['orders_audit', 'dbfifo_orders_insert']);
    watcher.kill('SIGINT');
    await exited;
  });

  it('list shows the pipe and events of dbfifo triggers only; the same add again changes nothing; other options are refused', async () => {
    const list = await cli(['list', tdb.name]);
    expect(list.code).toBe(0);
    expect(list.stdout).toBe(`${tdb.name}.orders  pipe "${pipe}"  on insert,update,delete  columns status  triggers \`dbfifo_orders_insert\`, \`dbfifo_orders_update\`, \`dbfifo_orders_delete\`\n`);
    const again = await cli(['add', `${tdb.name}.orders`, '--pipe', pipe, '--columns', 'status']);
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining('installed already, as asked; nothing changed') });
    const other = await cli(['add', `${tdb.name}.orders`, '--pipe', pipe, '--columns', 'note']);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`already has dbfifo triggers for pipe "${pipe}"`);
    expect(other.stderr).toContain(`dbfifo trigger remove ${tdb.name}.orders --pipe ${pipe}`);
  });

  it('check exits 0 while the table matches, and non-zero after the primary key changed', async () => {
    const ok = await cli(['check', `${tdb.name}.orders`]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok {5}/);
    await conn.query('ALTER TABLE orders DROP PRIMARY KEY, ADD PRIMARY KEY (order_no, shop_id)');
    const drifted = await cli(['check', tdb.name]);
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toContain('DRIFT');
    expect(drifted.stdout).toContain("the primary key changed: the doorbell's id was (`shop_id`, `order_no`), the table's key is now (`order_no`, `shop_id`)");
  });

  it("remove drops dbfifo's triggers only: the user's trigger stays and keeps working", async () => {
    const r = await cli(['remove', `${tdb.name}.orders`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('left `orders_audit` alone');
    expect(await triggersOn('orders')).toEqual(['orders_audit']);
    await conn.query("INSERT INTO orders (shop_id, order_no) VALUES (3, 'C-1')");
    expect((await rows('SELECT 1 FROM audit'))).toHaveLength(3);
    expect((await cli(['remove', `${tdb.name}.orders`])).stdout).toContain('no dbfifo triggers; nothing removed');
  });
});

describe('bad input: a clear message, a non-zero exit, nothing installed', () => {
  beforeAll(async () => {
    await conn.query("CREATE TABLE items (id INT PRIMARY KEY, status VARCHAR(10) NOT NULL DEFAULT 'a')");
    await conn.query('CREATE TABLE nokey (a INT, b INT)');
  });

  it.each([
    ['an unknown table', ['add', '{db}.nope', '--pipe', 'p'], /unknown table trigger_cli_\w+\.nope \(it does not exist, or this account has no privilege on it\)/],
    ['a table in another case', ['add', '{db}.ITEMS', '--pipe', 'p'], /unknown table .*\.ITEMS; did you mean .*\.items\?/],
    ['a table without a primary key', ['add', '{db}.nokey', '--pipe', 'p'], /nokey has no primary key: the doorbell names the changed row by its primary key, and the worker re-reads the row by it/],
    ['a pipe path', ['add', '{db}.items', '--pipe', '../etc/x'], /--pipe "\.\.\/etc\/x" must be a bare name/],
    ['a hidden pipe name', ['add', '{db}.items', '--pipe', '.x'], /must not start with '\.'/],
    ['a pipe name over 255 bytes', ['add', '{db}.items', '--pipe', 'p'.repeat(256)], /256 bytes long; fifo.so accepts at most 255/],
    ['an unknown column', ['add', '{db}.items', '--pipe', 'p', '--columns', 'nope'], /--columns: .*items has no column `nope`/],
    ['statements in --when', ['add', '{db}.items', '--pipe', 'p', '--when', "1; DROP TABLE items"], /--when contains ';'/],
    ['an unbalanced --when', ['add', '{db}.items', '--pipe', 'p', '--when', "NEW.status = 'a"], /--when has an unbalanced ' quote/],
    ['--when that does not compile', ['add', '{db}.items', '--pipe', 'p', '--when', 'NEW.nope = 1'], /creating `dbfifo_items_insert` .* failed: Unknown column 'nope'|could not compile/],
  ])('%s', async (_what, args, why) => {
    const r = await cli(args.map((a) => a.replace('{db}', tdb.name)));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(why);
    expect(await triggersOn('items')).toEqual([]);
    expect(await triggersOn('nokey')).toEqual([]);
  });

  it('a CREATE that fails midway: the triggers this run created are dropped again', async () => {
    // The UPDATE trigger compiles; the DELETE one has no NEW row.
    const r = await cli(['add', `${tdb.name}.items`, '--pipe', 'p', '--on', 'update,delete', '--when', "NEW.status = 'b'"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--when cannot be used in the delete trigger');
    expect(r.stderr).toContain('dropped the 1 trigger(s) this run had created: nothing is left installed');
    expect(await triggersOn('items')).toEqual([]);
  });

  it('an account without the TRIGGER privilege', async () => {
    const user = `dbfifo_t_${process.pid}`;
    await conn.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '127.0.0.1', 'pw']);
    cleanups.push(() => conn.query('DROP USER IF EXISTS ?@?', [user, '127.0.0.1']));
    await conn.query(`GRANT SELECT ON ${quoteIdent(tdb.name)}.* TO ?@?`, [user, '127.0.0.1']);
    const env = { DBFIFO_ADMIN_URL: `mysql://${user}:pw@127.0.0.1:${stack.mysqlPort}/` };
    const [[binlog]] = await conn.query<RowDataPacket[]>('SELECT @@log_bin AND NOT @@log_bin_trust_function_creators AS needsSuper');
    if (binlog!.needsSuper) {
      // The stack logs binary: the server asks for SUPER before it looks at TRIGGER.
      const r = await cli(['add', `${tdb.name}.items`, '--pipe', 'p'], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('with binary logging on, the server lets only an account with SUPER create triggers');
      await conn.query('GRANT SUPER ON *.* TO ?@?', [user, '127.0.0.1']);
    }
    const r = await cli(['add', `${tdb.name}.items`, '--pipe', 'p'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/this account lacks the TRIGGER privilege on trigger_cli_\w+\.items .*GRANT TRIGGER ON/);
    expect(r.stderr).toContain('nothing was installed');
    expect(await triggersOn('items')).toEqual([]);
  });

  it('fifo.so not loaded: the UDF is looked up in mysql.func before anything is created', async () => {
    // Dropping fifo_write from the shared server would break every other suite using it,
    // so the lookup `add` runs is exercised with a name that is not loaded.
    const admin = await mysql.createConnection({ uri: stack.adminUrl });
    try {
      expect(await udfLoaded(admin)).toBe(true);
      await expect(requireFifoWrite(admin, 'dbfifo_no_such_udf')).rejects.toThrow('dbfifo_no_such_udf is not a loaded function on this server');
    } finally {
      await admin.end();
    }
  });

  it('a wrong command line: the usage, exit 64; no database URL: exit 78', async () => {
    const usage = await cli(['add', `${tdb.name}.items`]);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toMatch(/^dbfifo trigger: add needs --pipe <name>\n\nusage: dbfifo trigger/);
    const noUrl = await cli(['list'], { DBFIFO_ADMIN_URL: '', DATABASE_URL: '' });
    expect(noUrl.code).toBe(78);
    expect(noUrl.stderr).toContain('DBFIFO_ADMIN_URL (or DATABASE_URL) is required');
  });
});

describe('hostile names and values', () => {
  const db = `t rig\`g"er ü'${process.pid}`;
  const table = 'ord`er "li\'ne" ü.x';
  const keyText = `c'd"e\\`;
  const long = 'k'.repeat(64);
  const qdb = quoteIdent(db);

  beforeAll(async () => {
    await conn.query(`CREATE DATABASE ${qdb}`);
    cleanups.push(() => conn.query(`DROP DATABASE IF EXISTS ${qdb}`));
    await conn.query(`CREATE TABLE ${qdb}.${quoteIdent(table)} (
      \`select\` INT NOT NULL, ${quoteIdent(keyText)} VARCHAR(50) NOT NULL, \`a\`\`b\` VARCHAR(50) NULL,
      \`ünï cöde\` DECIMAL(10,2) NULL, ${quoteIdent(long)} DATETIME(3) NULL, \`bin\` VARBINARY(4) NULL,
      PRIMARY KEY (\`select\`, ${quoteIdent(keyText)})) DEFAULT CHARSET=utf8mb4`);
    await conn.query(`CREATE TABLE ${qdb}.${quoteIdent('x'.repeat(64))} (id INT PRIMARY KEY)`);
  });

  it('quotes every name, and every value arrives as valid JSON', async () => {
    const pipe = pipeName();
    const reader = await readPipe(pipe);
    const target = `${qdb}.${quoteIdent(table)}`;
    const add = await cli(['add', target, '--pipe', pipe, '--columns', '`a``b`', '--fields', `\`a\`\`b\`,\`ünï cöde\`,${long},bin`]);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);

    const value = 'it\'s "q" \\ back\nline\ttab ü😀';
    await conn.query(`INSERT INTO ${qdb}.${quoteIdent(table)} VALUES (1, ?, 'x', 12.5, '2024-01-02 03:04:05.678', x'00ff')`, [value]);
    await conn.query(`UPDATE ${qdb}.${quoteIdent(table)} SET \`ünï cöde\` = 1`); // not in --columns: no doorbell
    await conn.query(`UPDATE ${qdb}.${quoteIdent(table)} SET \`a\`\`b\` = NULL`);
    await conn.query(`DELETE FROM ${qdb}.${quoteIdent(table)}`);
    await waitFor(() => reader.lines.length >= 3, { message: 'three doorbells' });
    const id = { select: 1, [keyText]: value };
    expect(reader.lines.map((l) => JSON.parse(l))).toEqual([
      { table, op: 'insert', id, 'a`b': 'x', 'ünï cöde': '12.50', [long]: '2024-01-02 03:04:05.678', bin: '00FF' },
      { table, op: 'update', id, 'a`b': null, 'ünï cöde': '1.00', [long]: '2024-01-02 03:04:05.678', bin: '00FF' },
      { table, op: 'delete', id, 'a`b': null, 'ünï cöde': '1.00', [long]: '2024-01-02 03:04:05.678', bin: '00FF' },
    ]);

    const list = await cli(['list', target]);
    expect(list.stdout).toContain(`${qdb}.${quoteIdent(table)}  pipe "${pipe}"  on insert,update,delete  columns a\`b  fields a\`b,ünï cöde,${long},bin`);
    expect((await cli(['check', target])).code).toBe(0);
    expect((await cli(['remove', target])).code).toBe(0);
    expect(await triggersOn(table, db)).toEqual([]);
  });

  it('a 64-character table name gives trigger names of at most 64 characters, all different', async () => {
    const target = `${qdb}.${'x'.repeat(64)}`;
    expect((await cli(['add', target, '--pipe', 'p'])).code).toBe(0);
    const names = await triggersOn('x'.repeat(64), db);
    expect(names).toHaveLength(3);
    expect(new Set(names).size).toBe(3);
    for (const n of names) expect(n.length).toBeLessThanOrEqual(64);
    expect((await cli(['check', target])).code).toBe(0);
    expect((await cli(['remove', target])).code).toBe(0);
  });
});

describe('two pipes on one table; --dry-run output loaded with the mariadb client', () => {
  it('the second pipe gets its own names, both ring, check reads the marker back, remove --pipe takes one', async () => {
    await conn.query('CREATE TABLE shared (id INT PRIMARY KEY, v INT NOT NULL)');
    const [a, b] = [pipeName(), pipeName()];
    const [ra, rb] = [await readPipe(a), await readPipe(b)];
    expect((await cli(['add', `${tdb.name}.shared`, '--pipe', a])).code).toBe(0);
    const dry = await cli(['add', `${tdb.name}.shared`, '--pipe', b, '--on', 'insert', '--dry-run']);
    expect(dry.code).toBe(0);
    // The mariadb client drops comments (--skip-comments): the marker must survive it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trigger-cli-'));
    cleanups.push(() => fs.promises.rm(dir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dir, 'shared.sql'), dry.stdout);
    await tdb.load(path.join(dir, 'shared.sql'));

    expect(await triggersOn('shared')).toEqual(['dbfifo_shared_delete', 'dbfifo_shared_insert', `dbfifo_shared_insert_${b}`, 'dbfifo_shared_update']);
    const check = await cli(['check', `${tdb.name}.shared`]);
    expect(check.code).toBe(0);
    expect(check.stdout.match(/^ok /gm)).toHaveLength(2);
    await conn.query('INSERT INTO shared VALUES (7, 1)');
    await waitFor(() => ra.lines.length === 1 && rb.lines.length === 1, { message: 'a doorbell on each pipe' });
    expect(ra.lines).toEqual(['{"table":"shared","op":"insert","id":7}']);
    expect(rb.lines).toEqual(ra.lines);

    expect((await cli(['remove', `${tdb.name}.shared`, '--pipe', b])).code).toBe(0);
    expect(await triggersOn('shared')).toEqual(['dbfifo_shared_delete', 'dbfifo_shared_insert', 'dbfifo_shared_update']);
  });
});
