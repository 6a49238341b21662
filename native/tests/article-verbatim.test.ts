// The article's SQL session, statement for statement as printed (sections 4
// and 5), against a stack instance whose pipe directory is /tmp, so
// '/tmp/myfifo' is inside fifo.so's sandbox. The article's bash daemon is
// replaced by `dbfifo watch --log`, which writes the same "[time] [OK] line"
// log. Only what the article leaves to its environment is set up here: the
// `dba`@`%` account its trigger names, a database to work in, and the pipe.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStack, loadSqlFile, repoRoot, stackCommand, waitFor, tempDir, type StackEnv } from '@dbfifo/test-utils';
import { connectText, scalar } from './helpers.ts';

const STACK = 'article';
const STACK_ENV = { STACK_MYSQL_PORT: '3450', STACK_REDIS_PORT: '6450', STACK_PIPE_DIR: '/tmp' };
const PIPE = '/tmp/myfifo';

// Copied from the article; String.raw keeps its \r\n as the SQL escapes it wrote.
const UNLOAD = ['drop function fifo_create;', 'drop function fifo_remove;', 'drop function fifo_read;', 'drop function fifo_write;'];
const LOAD = [
  "create function fifo_create returns string soname 'fifo.so';",
  "create function fifo_remove returns string soname 'fifo.so';",
  "create function fifo_read returns string soname 'fifo.so';",
  "create function fifo_write returns string soname 'fifo.so';",
];
const DEMO = [
  `CREATE TABLE \`demo\` (
	\`id\` INT(11) NULL DEFAULT NULL,
	\`name\` CHAR(10) NULL DEFAULT NULL,
	\`mobile\` VARCHAR(50) NULL DEFAULT NULL
)
COLLATE='utf8_general_ci'
ENGINE=InnoDB;`,
  `INSERT INTO \`demo\` (\`id\`, \`name\`, \`mobile\`) VALUES
	(1, 'neo', '13113668891'),
	(2, 'jam', '13113668892'),
	(3, 'leo', '13113668893');`,
];
const PUSH = String.raw`select fifo_write('/tmp/myfifo',concat(mobile,'\r\n')) from demo;`;
const DEMO_SENT = `CREATE TABLE \`demo_sent\` (
	\`id\` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
	\`mobile\` VARCHAR(50) NOT NULL,
	\`status\` ENUM('true','false') NOT NULL DEFAULT 'false',
	\`ctime\` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (\`id\`)
)
COLLATE='utf8_general_ci'
ENGINE=InnoDB`;
const TRIGGER = `CREATE DEFINER=\`dba\`@\`%\` TRIGGER \`demo_after_insert\` AFTER INSERT ON \`demo\` FOR EACH ROW BEGIN
	insert into demo_sent(mobile,status) select new.mobile,fifo_write('/tmp/myfifo',concat(new.mobile,'')) as status;
END`;
const INSERT = "insert into demo(name,mobile) values('jerry','13322993040');";


describe("the article's SQL session, verbatim, with /tmp as the pipe directory", () => {
  let sql: mysql.Connection;
  let daemon: ChildProcess | undefined;
  let tmp: string;
  let log: string;
  let env: StackEnv;
  const udfs = async () => {
    const [rows] = await sql.query<mysql.RowDataPacket[]>("SELECT name FROM mysql.func WHERE dl = 'fifo.so' ORDER BY name");
    return rows.map((r) => String(r.name));
  };
  const logLines = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);

  beforeAll(async () => {
    env = ensureStack(STACK, STACK_ENV);
    expect(env.pipeDir).toBe('/tmp');
    tmp = tempDir('article-verbatim-');
    log = join(tmp, 'demo.log');
    sql = await connectText(env.adminUrl); // UDF answers as text, not Buffers
    await sql.query('DROP DATABASE IF EXISTS article_verbatim');
    await sql.query('CREATE DATABASE article_verbatim');
    await sql.query("CREATE USER IF NOT EXISTS 'dba'@'%'");
    await sql.query("GRANT ALL ON article_verbatim.* TO 'dba'@'%'");
    await sql.query('USE article_verbatim');
  }, 180_000);

  afterAll(async () => {
    daemon?.kill('SIGTERM');
    if (sql) {
      await sql.query("SELECT fifo_remove('/tmp/myfifo')").catch(() => undefined);
      await sql.query('DROP DATABASE IF EXISTS article_verbatim').catch(() => undefined);
      await sql.end();
    }
    stackCommand('down', STACK, STACK_ENV);
  });

  it('unloads and loads the four functions with the lines from section 4', async () => {
    for (const statement of UNLOAD) await sql.query(statement);
    for (const statement of LOAD) await sql.query(statement);
    expect(await udfs()).toEqual(expect.arrayContaining(['fifo_create', 'fifo_read', 'fifo_remove', 'fifo_write']));
  });

  it("section 5: three rows pushed with one SELECT reach the daemon's log", async () => {
    for (const statement of DEMO) await sql.query(statement);
    await sql.query("SELECT fifo_remove('/tmp/myfifo')"); // a leftover from an earlier run
    expect(await scalar(sql, "SELECT fifo_create('/tmp/myfifo')")).toBe('true');
    daemon = spawn(join(repoRoot, 'node_modules/.bin/tsx'), [join(repoRoot, 'packages/fifo-core/src/cli.ts'), 'watch', PIPE, '--log', log], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const watching = new Promise<void>((resolve) => daemon!.stderr!.once('data', () => resolve()));
    await watching;

    const [rows] = await sql.query<mysql.RowDataPacket[]>({ sql: PUSH, rowsAsArray: true });
    expect(rows).toEqual([['true'], ['true'], ['true']]);
    await waitFor(async () => (await logLines()).length === 3, { message: '3 lines in the log' });
    expect((await logLines()).map((l) => l.replace(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] /, ''))).toEqual([
      '[OK] 13113668891',
      '[OK] 13113668892',
      '[OK] 13113668893',
    ]);
  });

  it('the demo_sent table and the DEFINER trigger, then the INSERT: one more line, recorded as sent', async () => {
    await sql.query(DEMO_SENT);
    await sql.query(TRIGGER);
    await sql.query(INSERT);
    await waitFor(async () => (await logLines()).length === 4, { message: 'the 4th line in the log' });
    expect((await logLines())[3]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \[OK\] 13322993040$/);
    const [sent] = await sql.query<mysql.RowDataPacket[]>('SELECT mobile, status FROM demo_sent');
    expect(sent).toEqual([{ mobile: '13322993040', status: 'true' }]);
  });

  it('sql/uninstall.sql and sql/install.sql each run twice in a row, as their headers promise', async () => {
    await sql.query('DROP TRIGGER IF EXISTS demo_after_insert'); // uninstall.sql: drop fifo_write's triggers first
    const client = (file: string) => loadSqlFile(env, 'mysql', join(repoRoot, file)); // the mariadb client, as the headers say
    await client('sql/uninstall.sql');
    await client('sql/uninstall.sql');
    expect(await udfs()).toEqual([]);
    await client('sql/install.sql');
    await client('sql/install.sql');
    expect(await udfs()).toEqual(['fifo_create', 'fifo_error', 'fifo_info', 'fifo_read', 'fifo_remove', 'fifo_write']);
    expect(await scalar(sql, "SELECT fifo_write('/tmp/myfifo', 'after reinstall')")).toBe('true');
    await waitFor(async () => (await logLines()).at(-1)?.endsWith('[OK] after reinstall') === true, { message: 'the line after reinstall' });
  });
});
