// Atomic, change-aware file writes: a reader (nginx, a browser) sees the old
// page or the new page, never half of one, and identical bytes are not
// rewritten (no mtime churn, no cache invalidation, no disk wear). How the
// bytes reach the disk (fsync now, or one sync at the end of a pass) is the
// caller's choice: see write-pass.ts.
import { readdir, readFile, rename, stat, unlink, utimes, open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface AtomicWriteOptions {
  /** fsync the temp file before the rename, so its name never points at bytes that are not on disk. */
  fsync: boolean;
  /** Set the file's mtime to this instant (µs since the epoch): the row's updated_at. */
  mtimeUs?: number;
  /** Runs once the bytes are known to differ, before the temp file is created (a pass marks itself unsynced). */
  beforeWrite?: () => Promise<void>;
  /** Test seam: runs after the temp file is complete, before the rename. */
  beforeRename?: (tempPath: string) => Promise<void>;
}

export type WriteOutcome = 'written' | 'unchanged';

/** Temp files are `.<name>.<pid>.<random>.tmp` in the target's own folder (rename is atomic only within one file system). */
const TEMP_FILE = /^\.(.+)\.(\d+)\.[0-9a-f]{12}\.tmp$/;

export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Tolerance for the float round trip µs → utimes(seconds) → stat(ns). */
const MTIME_SLACK_US = 2n;

export function mtimeIsBefore(mtimeNs: bigint, us: number): boolean {
  return mtimeNs / 1000n + MTIME_SLACK_US < BigInt(Math.trunc(us));
}

export async function writeFileAtomic(path: string, data: string | Buffer, opts: AtomicWriteOptions): Promise<WriteOutcome> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const current = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (current?.equals(bytes)) {
    if (opts.mtimeUs !== undefined) await touchIfOlder(path, opts.mtimeUs);
    return 'unchanged';
  }

  await opts.beforeWrite?.();
  const temp = tempPathFor(path);
  try {
    const fh = await open(temp, 'wx', 0o644);
    try {
      await fh.writeFile(bytes);
      if (opts.mtimeUs !== undefined) await fh.utimes(new Date(), opts.mtimeUs / 1e6);
      if (opts.fsync) await fh.sync();
    } finally {
      await fh.close();
    }
    await opts.beforeRename?.(temp);
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  return 'written';
}

async function touchIfOlder(path: string, mtimeUs: number): Promise<void> {
  const st = await stat(path, { bigint: true });
  if (mtimeIsBefore(st.mtimeNs, mtimeUs)) await utimes(path, new Date(), mtimeUs / 1e6);
}

/** Make the renames and unlinks in a folder durable. Some file systems refuse fsync on a folder: not worth failing a page for. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync().catch(() => undefined);
  } finally {
    await fh.close();
  }
}

/** Remove a file; true when it existed. */
export async function removeFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Temp files whose writer is gone (crashed between write and rename). Another live process's temp files are left alone. */
export async function removeTempLitter(dirs: string[]): Promise<number> {
  let removed = 0;
  for (const dir of dirs) {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const m = TEMP_FILE.exec(name);
      if (m && !pidAlive(Number(m[2])) && (await removeFile(join(dir, name)))) removed++;
    }
  }
  return removed;
}
