import { beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeTempLitter, writeFileAtomic } from './atomic-write.ts';
import { tempDir } from '@dbfifo/test-utils';

let dir: string;
beforeEach(async () => {
  dir = tempDir('static-gen-aw-');
});

describe('writeFileAtomic', () => {
  it('writes, then leaves identical bytes alone (same inode, same mtime)', async () => {
    const p = join(dir, 'a.html');
    expect(await writeFileAtomic(p, 'one', { fsync: true })).toBe('written');
    const before = await stat(p, { bigint: true });
    await new Promise((r) => setTimeout(r, 15));
    expect(await writeFileAtomic(p, 'one', { fsync: true })).toBe('unchanged');
    const after = await stat(p, { bigint: true });
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeNs).toBe(before.mtimeNs);
    expect(await writeFileAtomic(p, 'two', { fsync: false })).toBe('written');
    expect(await readFile(p, 'utf8')).toBe('two');
    expect(await readdir(dir)).toEqual(['a.html']);
  });

  it('sets the mtime to the row time it is given', async () => {
    const p = join(dir, 'a.html');
    const us = Date.UTC(2024, 0, 2, 3, 4, 5) * 1000 + 678;
    await writeFileAtomic(p, 'x', { fsync: false, mtimeUs: us });
    const st = await stat(p, { bigint: true });
    expect(Number(st.mtimeNs / 1000n)).toBeGreaterThanOrEqual(us - 2);
    expect(Number(st.mtimeNs / 1000n)).toBeLessThanOrEqual(us + 2);
  });

  it('a write that fails before the rename leaves the old page and no temp file', async () => {
    const p = join(dir, 'a.html');
    await writeFile(p, 'old page');
    await expect(
      writeFileAtomic(p, 'new page', { fsync: true, beforeRename: async () => { throw new Error('disk full'); } }),
    ).rejects.toThrow('disk full');
    expect(await readFile(p, 'utf8')).toBe('old page');
    expect(await readdir(dir)).toEqual(['a.html']);
  });

  it('a process killed between temp write and rename leaves the old page; the next reconcile removes its temp file', async () => {
    const p = join(dir, 'a.html');
    await writeFile(p, 'old page');
    const fixture = fileURLToPath(new URL('../../tests/fixtures/crash-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, p, 'new page'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000); // never leave the child behind
    const temp = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /ready (.+)\n/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code, signal) => reject(new Error(`crash-writer exited before the rename (${code ?? signal}); stdout: ${out}`)));
    });
    clearTimeout(timer);
    expect(await readFile(temp, 'utf8')).toBe('new page'); // the new version was complete…
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(await readFile(p, 'utf8')).toBe('old page'); // …but readers still see the old page whole
    expect(await removeTempLitter([dir])).toBe(1);
    expect(await readdir(dir)).toEqual(['a.html']);
  });
});
