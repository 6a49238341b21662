import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PIPE_ADDON, loadPipeControl, type PipeControl } from './pipe-fcntl.ts';
import { ensureFifo } from './pipe-open.ts';

const MIB = 1024 * 1024;

/** Where make finds Node's headers by default; without them it skips the addon. */
const nodeHeaders = path.join(path.dirname(fs.realpathSync(process.execPath)), '../include/node/node_api.h');

const loaded = loadPipeControl();
// Skipped only where make could not build it; anywhere else a missing addon is a failure.
const unbuildable = 'missing' in loaded && !fs.existsSync(nodeHeaders);
if (unbuildable) console.warn(`pipe-fcntl skipped: ${(loaded as { missing: string }).missing}; there is no ${nodeHeaders} to build it with`);

describe.skipIf(unbuildable)('pipe-fcntl: the reader grows and inspects its pipe', () => {
  let dir: string;
  let control: PipeControl;
  let fd: number;

  beforeAll(async () => {
    if ('missing' in loaded) throw new Error(`the addon should have been built (Node's headers are there): ${loaded.missing}`);
    control = loaded;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipe-fcntl-'));
    await ensureFifo(path.join(dir, 'p'));
    fd = fs.openSync(path.join(dir, 'p'), fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  });

  afterAll(() => {
    if (fd !== undefined) fs.closeSync(fd);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('grows a FIFO to 1 MiB (or pipe-max-size), and never shrinks it', () => {
    const want = Math.min(MIB, control.maxSize ?? MIB);
    expect(control.size(fd)).toBe(64 * 1024);
    expect(control.setSize(fd, MIB)).toBe(want);
    expect(control.size(fd)).toBe(want);
    expect(control.setSize(fd, 64 * 1024)).toBe(want);
    expect(control.size(fd)).toBe(want);
  });

  it('never asks for more than pipe-max-size, even where the kernel would allow it (root)', () => {
    expect(control.maxSize).toBe(Number(fs.readFileSync('/proc/sys/fs/pipe-max-size', 'utf8')));
    expect(control.setSize(fd, 64 * MIB)).toBe(control.maxSize);
    expect(control.size(fd)).toBe(control.maxSize);
  });

  it('counts the bytes written and not read yet', () => {
    expect(control.queued(fd)).toBe(0);
    fs.writeSync(fd, 'hello\nworld\n');
    expect(control.queued(fd)).toBe(12);
    expect(fs.readSync(fd, Buffer.alloc(6))).toBe(6);
    expect(control.queued(fd)).toBe(6);
    fs.readSync(fd, Buffer.alloc(6));
    expect(control.queued(fd)).toBe(0);
  });

  it('refuses bad arguments with a TypeError, and a descriptor that is no pipe with its errno', () => {
    expect(() => control.size(-1)).toThrow(TypeError);
    expect(() => control.queued(1.5)).toThrow(TypeError);
    expect(() => control.setSize(fd, Number.NaN)).toThrow(/usage: setPipeSize\(fd, bytes\)/);
    expect(() => (control.size as (fd: unknown) => number)('3')).toThrow(TypeError);
    const file = fs.openSync(path.join(dir, 'file'), 'w');
    try {
      expect(() => control.size(file)).toThrow(expect.objectContaining({ code: 'EBADF', message: expect.stringMatching(/is not an open pipe/) }));
    } finally {
      fs.closeSync(file);
    }
  });
});

describe('loadPipeControl without the addon', () => {
  it('answers why instead of throwing', () => {
    expect(loadPipeControl('/nonexistent/dbfifo_pipe.node')).toEqual({ missing: expect.stringMatching(/does not exist: build it with make -C native/) });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipe-fcntl-'));
    try {
      const bogus = path.join(dir, 'dbfifo_pipe.node');
      fs.writeFileSync(bogus, 'not an ELF file');
      expect(loadPipeControl(bogus)).toEqual({ missing: expect.stringMatching(/cannot be loaded: /) });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('looks in native/build of the repository by default', () => {
    expect(DEFAULT_PIPE_ADDON).toBe(path.resolve(import.meta.dirname, '../../../native/build/dbfifo_pipe.node'));
  });
});
