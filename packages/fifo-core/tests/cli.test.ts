// The dbfifo CLI as a person runs it: watch prints the article's log format,
// send refuses clearly when nobody reads, status tells which pipes have a reader.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { sleep, tempDir } from './helpers.ts';

const run = promisify(execFile);
const bin = path.join(import.meta.dirname, '..', 'bin', 'dbfifo.mjs');
const cli = (...args: string[]) => run(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH! } });

describe('dbfifo CLI', () => {
  it('watch logs "[YYYY-MM-DD HH:MM:SS] [OK] line"; send and status see the reader; Ctrl-C stops it', async () => {
    const dir = tempDir();
    const pipe = path.join(dir, 'sms');
    const log = path.join(dir, 'demo.log');
    const watcher = spawn(process.execPath, [bin, 'watch', pipe, '--log', log], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    watcher.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((r) => watcher.on('exit', r));
    for (let i = 0; i < 500 && !err.includes('watching'); i++) await sleep(20);
    await cli('send', pipe, '13113668891');
    await cli('send', pipe, '13113668892\r');
    const status = await cli('status', dir);
    expect(status.stdout).toMatch(new RegExp(`${pipe}\\s+fifo\\s+mode 0620.*reader: yes`));
    for (let i = 0; i < 200 && (fs.readFileSync(log, 'utf8').match(/\n/g) ?? []).length < 2; i++) await sleep(20);
    const lines = fs.readFileSync(log, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \[OK\] 13113668891$/);
    expect(lines[1]).toMatch(/\[OK\] 13113668892$/);
    watcher.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('send fails with a clear message when no process reads the pipe', async () => {
    const dir = tempDir();
    const pipe = path.join(dir, 'lonely');
    await run('mkfifo', [pipe]);
    const e = await cli('send', pipe, 'hello').catch((x: { code: number; stderr: string }) => x);
    expect(e).toMatchObject({ code: 1 });
    expect((e as { stderr: string }).stderr).toContain(`no reader on ${pipe}`);
    expect((await cli('status', dir)).stdout).toMatch(/reader: NO/);
  });

  it('a bare pipe name means that entry of DBFIFO_PIPE_DIR, as for fifo_write', async () => {
    const dir = tempDir();
    const env = { PATH: process.env.PATH!, DBFIFO_PIPE_DIR: dir };
    const watcher = spawn(process.execPath, [bin, 'watch', 'bell'], { stdio: ['ignore', 'pipe', 'pipe'], env, cwd: tempDir() });
    let out = '';
    let err = '';
    watcher.stdout.on('data', (c: Buffer) => (out += c.toString()));
    watcher.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((r) => watcher.on('exit', r));
    for (let i = 0; i < 500 && !err.includes('watching'); i++) await sleep(20);
    expect(err).toContain(`watching ${path.join(dir, 'bell')}`);
    await run(process.execPath, [bin, 'send', 'bell', 'ding'], { env });
    for (let i = 0; i < 200 && !out.includes('ding'); i++) await sleep(20);
    expect(out).toMatch(/\[OK\] ding\n$/);
    watcher.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
