// Any SQL user can call a UDF: every path outside the allowed directory, and
// everything in it that is not a FIFO, must be left exactly as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stackEnv, tempDir } from '@dbfifo/test-utils';
import { makePipe, pipeDir, scalar, sqlWorld, type SqlWorld } from './helpers.ts';

describe('the sandbox', () => {
  let world: SqlWorld;
  let outside: string;
  const tag = `native-sandbox-${process.pid}`;
  const inDir = (name: string) => join(pipeDir(), `${tag}-${name}`);

  beforeAll(async () => {
    world = await sqlWorld('sandbox');
    outside = tempDir('native-outside-');
    writeFileSync(join(outside, 'secret.txt'), 'keep me');
  });

  afterAll(async () => {
    for (const n of ['link', 'file', 'dir', 'null', 'devlink']) rmSync(inDir(n), { recursive: true, force: true });
    await world?.close();
  });

  async function refused(fn: string, path: string, message?: string): Promise<string> {
    const args = fn === 'fifo_write' ? [path, message ?? 'm'] : [path];
    const query = `select ${fn}(${args.map(() => '?').join(', ')})`;
    expect(await scalar(world.sql, query, args), `${fn}(${path})`).toBe('false');
    const why = await scalar<string>(world.sql, 'select fifo_error()');
    expect(why, `${fn}(${path})`).toMatch(new RegExp(`^${fn}: `));
    return why;
  }

  it("fifo_remove('/var/lib/mysql/ibdata1') and the server's own data files: untouched", async () => {
    expect(await refused('fifo_remove', '/var/lib/mysql/ibdata1')).toMatch(/outside the allowed directory/);
    const ibdata = join(stackEnv().stateDir, 'mariadb/data/ibdata1');
    expect(existsSync(ibdata)).toBe(true);
    const size = statSync(ibdata).size;
    await refused('fifo_remove', ibdata);
    await refused('fifo_write', ibdata);
    expect(statSync(ibdata).size).toBe(size);
  });

  it('/etc/passwd and ../ escapes: refused, named in the error', async () => {
    const passwd = readFileSync('/etc/passwd', 'utf8');
    await refused('fifo_write', '/etc/passwd');
    await refused('fifo_remove', '/etc/passwd');
    await refused('fifo_create', '/etc/passwd');
    expect(await refused('fifo_write', '../../../etc/passwd')).toMatch(/bare name or an absolute path/);
    expect(await refused('fifo_remove', `${pipeDir()}/../env`)).toMatch(/outside the allowed directory/);
    await refused('fifo_remove', '..');
    await refused('fifo_remove', '.');
    await refused('fifo_create', '');
    await refused('fifo_create', '-rf');
    expect(readFileSync('/etc/passwd', 'utf8')).toBe(passwd);
  });

  it('a symlink in the directory pointing outside is neither followed nor removed', async () => {
    symlinkSync(join(outside, 'secret.txt'), inDir('link'));
    expect(await refused('fifo_write', `${tag}-link`)).toMatch(/is not a FIFO/);
    await refused('fifo_remove', `${tag}-link`);
    await refused('fifo_create', `${tag}-link`);
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('keep me');
    expect(lstatSync(inDir('link')).isSymbolicLink()).toBe(true);
  });

  it('a symlink to a FIFO is not followed either', async () => {
    const pipe = await makePipe('sandbox-target');
    try {
      rmSync(inDir('link'), { force: true });
      symlinkSync(pipe.path, inDir('link'));
      await refused('fifo_write', `${tag}-link`);
    } finally {
      await pipe.remove();
    }
  });

  it('regular files and directories in the allowed directory: untouched', async () => {
    writeFileSync(inDir('file'), 'data');
    mkdirSync(inDir('dir'));
    expect(await refused('fifo_write', `${tag}-file`)).toMatch(/is not a FIFO/);
    await refused('fifo_remove', `${tag}-file`);
    await refused('fifo_create', `${tag}-file`);
    await refused('fifo_remove', `${tag}-dir`);
    await refused('fifo_write', `${tag}-dir`);
    expect(readFileSync(inDir('file'), 'utf8')).toBe('data');
    expect(statSync(inDir('dir')).isDirectory()).toBe(true);
  });

  it('a device (or a link to one) is never opened or removed', async (ctx) => {
    symlinkSync('/dev/null', inDir('devlink'));
    await refused('fifo_write', `${tag}-devlink`);
    await refused('fifo_remove', `${tag}-devlink`);
    try {
      execFileSync('mknod', ['-m', '0666', inDir('null'), 'c', '1', '3']);
    } catch {
      console.log('device node case skipped: mknod needs root (CAP_MKNOD)');
      ctx.skip();
    }
    expect(await refused('fifo_write', `${tag}-null`)).toMatch(/is not a FIFO/);
    await refused('fifo_remove', `${tag}-null`);
    expect(statSync(inDir('null')).isCharacterDevice()).toBe(true);
  });

  it('fifo_create makes a FIFO, is fine when one exists; fifo_remove removes only FIFOs', async () => {
    const name = `${tag}-made`;
    expect(await scalar(world.sql, 'select fifo_create(?)', [name])).toBe('true');
    expect(lstatSync(join(pipeDir(), name)).isFIFO()).toBe(true);
    expect(await scalar(world.sql, 'select fifo_create(?)', [name])).toBe('true');
    expect(await scalar(world.sql, 'select fifo_remove(?)', [join(pipeDir(), name)])).toBe('true');
    expect(existsSync(join(pipeDir(), name))).toBe(false);
    expect(await scalar(world.sql, 'select fifo_remove(?)', [name])).toBe('false');
    expect(await scalar(world.sql, 'select fifo_error()')).toMatch(/does not exist \(ENOENT\)$/);
  });

  it('fifo_info() reports the version, the allowed directory and the limits', async () => {
    const info = JSON.parse(await scalar<string>(world.sql, 'select fifo_info()'));
    expect(info).toMatchObject({ pipe_dir: pipeDir(), pipe_dir_error: null, line_max: 4096, write_timeout_max_ms: 10000 });
    expect(info.version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
