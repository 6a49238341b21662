// runMain as a real process: SIGTERM with a handler in flight lets it finish and
// exits 0; a second signal exits at once; bad configuration exits 78 listing all.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sleep, tempDir, writeLines } from './helpers.ts';

const fixture = path.join(import.meta.dirname, 'fixtures', 'slow-worker.ts');

function spawnWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: { PATH: process.env.PATH!, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exit, out: () => stdout, err: () => stderr };
}

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function killLater(child: ChildProcess) {
  return setTimeout(() => child.kill('SIGKILL'), 30_000);
}

describe('runMain', () => {
  it('on SIGTERM stops reading, lets the in-flight handler finish, runs stop() and exits 0', async () => {
    const dir = tempDir();
    const marker = path.join(dir, 'marker');
    fs.writeFileSync(marker, '');
    const w = spawnWorker({ DBFIFO_PIPE_DIR: dir, DATABASE_URL: 'mysql://u@127.0.0.1/d', MARKER_FILE: marker, SLOW_MS: '800' });
    const guard = killLater(w.child);
    await until(() => w.out().includes('reading pipe'), 'the worker to open its pipe');
    writeLines(path.join(dir, 'slow'), ['one']);
    await until(() => fs.readFileSync(marker, 'utf8').includes('start one'), 'the handler to start');
    w.child.kill('SIGTERM');
    const { code } = await w.exit;
    clearTimeout(guard);
    expect(code).toBe(0);
    expect(fs.readFileSync(marker, 'utf8')).toBe('start one\ndone one\nstop hook\n');
    expect(w.out()).toMatch(/"msg":"stopped"/);
  });

  it('exits at once on a second signal', async () => {
    const dir = tempDir();
    const marker = path.join(dir, 'marker');
    fs.writeFileSync(marker, '');
    const w = spawnWorker({ DBFIFO_PIPE_DIR: dir, DATABASE_URL: 'mysql://u@127.0.0.1/d', MARKER_FILE: marker, SLOW_MS: '20000' });
    const guard = killLater(w.child);
    await until(() => w.out().includes('reading pipe'), 'the worker to open its pipe');
    writeLines(path.join(dir, 'slow'), ['long']);
    await until(() => fs.readFileSync(marker, 'utf8').includes('start long'), 'the handler to start');
    const t0 = Date.now();
    w.child.kill('SIGTERM');
    await sleep(200);
    w.child.kill('SIGINT');
    const { code } = await w.exit;
    clearTimeout(guard);
    expect(code).toBe(130);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(fs.readFileSync(marker, 'utf8')).not.toContain('done long');
  });

  it('lists every bad variable and exits 78', async () => {
    const w = spawnWorker({ DBFIFO_MODE: 'fast', DBFIFO_CONCURRENCY: 'many', SLOW_MS: '-1' });
    const { code } = await w.exit;
    expect(code).toBe(78);
    const err = w.err();
    for (const name of ['DBFIFO_MODE', 'DBFIFO_CONCURRENCY', 'DATABASE_URL', 'MARKER_FILE', 'SLOW_MS']) expect(err).toContain(name);
    expect(err.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(5);
  });
});
