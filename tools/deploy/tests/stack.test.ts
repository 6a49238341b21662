// tools/stack as an operator meets it: its help, and the settings files it
// writes for shells (env) and programs (env.json), on a private instance whose
// state folder and pipe directory hold quotes and a backslash.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, tempDir, type StackEnv } from '@dbfifo/test-utils';

const stackTool = join(repoRoot, 'tools/stack');

/** The sub-commands a `case "$VAR" in … esac` of a script dispatches on. */
function dispatched(file: string, variable: string): string[] {
  const source = readFileSync(file, 'utf8');
  const block = source.slice(source.indexOf(`case "$${variable}" in`), source.indexOf('esac', source.indexOf(`case "$${variable}" in`)));
  return [...block.matchAll(/^\s+([a-z][a-z-]*(?:\|[a-z-]+)*)\)/gm)].flatMap((m) => m[1]!.split('|')).filter((c) => !c.startsWith('-'));
}

describe('tools/stack help', () => {
  it('`tools/stack help` prints every command it runs, in whole sentences, and exits 0', () => {
    const help = execFileSync(stackTool, ['help'], { encoding: 'utf8' });
    const commands = dispatched(stackTool, 'cmd');
    expect(commands).toEqual(expect.arrayContaining(['up', 'down', 'sql', 'replica', 'help']));
    for (const command of commands) expect(help).toMatch(new RegExp(`tools/stack .*\\b${command}\\b`));
    // The last line closes its sentence (a cut at a fixed line number would not).
    expect(help.trimEnd()).toMatch(/[.)]$/);
    expect(help).toContain("'/tmp/myfifo'");
  });

  it('`tools/stack replica help` prints every replica command', () => {
    const help = execFileSync(stackTool, ['replica', 'help'], { encoding: 'utf8' });
    for (const command of dispatched(join(repoRoot, 'tools/stack.d/replica.sh'), 'sub')) {
      expect(help).toMatch(new RegExp(`tools/stack replica ${command}\\b`));
    }
    expect(help).toContain('STACK_REPLICA_PORT');
    expect(help).not.toContain('shellcheck'); // the linter's directive in the header is not help
  });

  it('an unknown command says so, prints the help on stderr and exits 2', () => {
    const r = spawnSync(stackTool, ['frobnicate'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown command: frobnicate');
    expect(r.stderr).toContain('tools/stack up');
  });
});

describe('env and env.json of a stack whose paths hold quotes and a backslash', () => {
  const name = 'deploy-quote';
  let tmp: string;
  let state: string;
  let pipeDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    tmp = tempDir('dbfifo-stack-'); // removed after this file's afterAll has stopped the stack
    // mariadb-install-db (a shell script) cannot take a space or a backslash
    // in its data directory; quotes it can. The pipe directory is only handed
    // to the server's environment, so it gets the backslash.
    state = join(tmp, `it's"q`);
    pipeDir = join(tmp, 'pi\\pe"s');
    await mkdir(pipeDir);
    await chmod(pipeDir, 0o1777); // like /tmp: the server's user makes its FIFOs there
    env = { ...process.env, STACK_NAME: name, STACK_STATE: state, STACK_PIPE_DIR: pipeDir, STACK_MYSQL_PORT: '3460', STACK_REDIS_PORT: '6460' };
    execFileSync(stackTool, ['up'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  }, 180_000);

  afterAll(async () => {
    if (env) execFileSync(stackTool, ['down'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  });

  it('env.json is valid JSON that gives the paths back exactly', () => {
    const json = JSON.parse(readFileSync(join(state, 'env.json'), 'utf8')) as StackEnv;
    expect(json).toMatchObject({ stackName: name, stateDir: state, pipeDir, mysqlPort: 3460, redisPort: 6460 });
    expect(json.mysqlSocket).toBe(join(state, 'mariadb/mysqld.sock'));
  });

  it('a shell that sources env gets the paths back exactly', () => {
    const printed = execFileSync('bash', ['-c', '. "$1" && printf "%s\\n" "$DBFIFO_PIPE_DIR" "$DATABASE_URL"', 'bash', join(state, 'env')], {
      encoding: 'utf8',
    });
    expect(printed).toBe(`${pipeDir}\nmysql://dbfifo:dbfifo@127.0.0.1:3460/dbfifo\n`);
  });

  it('the server got the same pipe directory: fifo_create makes its FIFO there', async () => {
    const json = JSON.parse(readFileSync(join(state, 'env.json'), 'utf8')) as StackEnv;
    const conn = await mysql.createConnection({ uri: json.adminUrl });
    try {
      const [rows] = await conn.query<mysql.RowDataPacket[]>({ sql: "SELECT fifo_create('quoted') AS ok", rowsAsArray: true });
      expect(String(rows[0]![0])).toBe('true');
      expect(existsSync(join(pipeDir, 'quoted')) && statSync(join(pipeDir, 'quoted')).isFIFO()).toBe(true);
    } finally {
      await conn.end();
    }
  });

  it('the instance remembers its ports and pipe directory: a bare `STACK_NAME=… up` leaves both files as they were', () => {
    const before = [readFileSync(join(state, 'env'), 'utf8'), readFileSync(join(state, 'env.json'), 'utf8')];
    const bare: NodeJS.ProcessEnv = { ...process.env, STACK_NAME: name, STACK_STATE: state };
    for (const v of ['STACK_MYSQL_PORT', 'STACK_REDIS_PORT', 'STACK_PIPE_DIR']) delete bare[v];
    execFileSync(stackTool, ['up'], { env: bare, stdio: ['ignore', 'ignore', 'inherit'] });
    expect([readFileSync(join(state, 'env'), 'utf8'), readFileSync(join(state, 'env.json'), 'utf8')]).toEqual(before);
  });
});
