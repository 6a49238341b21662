// Create (if missing) and open a named pipe for reading through the event loop.
//
// Opened O_RDWR | O_NONBLOCK: holding our own write end means the reader never
// sees end-of-file when the last writer (a trigger's fifo_write) closes, and a
// non-blocking open returns at once, so no libuv thread-pool thread is parked in
// open(2) waiting for a writer. The fd is wrapped in a net.Socket (libuv pipe
// handle, epoll) — fs.createReadStream would read on the thread pool instead.
import fs from 'node:fs';
import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export class PipeError extends Error {
  override name = 'PipeError';
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

export interface EnsurePipeOptions {
  /** Mode for a pipe we create (default 0o620: owner rw, group w). */
  mode?: number;
  /** Group name or gid given to a pipe we create, so e.g. the mysql user can write it. */
  group?: string;
}

/** Resolve a group name to a gid through NSS (`getent group`); numbers pass through. */
export async function resolveGid(group: string): Promise<number> {
  if (/^\d+$/.test(group)) return Number(group);
  try {
    const { stdout } = await execFileP('getent', ['group', group]);
    const gid = Number(stdout.split(':')[2]);
    if (Number.isInteger(gid)) return gid;
  } catch {
    /* fall through */
  }
  throw new PipeError(`unknown group ${JSON.stringify(group)} (DBFIFO_PIPE_GROUP)`, 'EGROUP');
}

/**
 * Make sure `pipe` is a FIFO: create it (and its directory) when missing, refuse
 * anything else that sits at the path. Returns true when it was created.
 */
export async function ensureFifo(pipe: string, o: EnsurePipeOptions = {}): Promise<boolean> {
  const mode = o.mode ?? 0o620;
  const st = await fs.promises.lstat(pipe).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (st) {
    if (!st.isFIFO()) throw new PipeError(`${pipe} exists and is not a FIFO; refusing to use it`, 'ENOTFIFO');
    return false;
  }
  await fs.promises.mkdir(path.dirname(pipe), { recursive: true });
  // Node has no mkfifo(3); the coreutils binary with an argument array (no shell).
  try {
    await execFileP('mkfifo', ['-m', mode.toString(8), '--', pipe]);
  } catch (e) {
    // Lost a race with another creator (e.g. fifo_create): fine if it is a FIFO now.
    const again = await fs.promises.lstat(pipe).catch(() => undefined);
    if (!again?.isFIFO()) throw new PipeError(`mkfifo ${pipe} failed: ${(e as Error).message.trim()}`, 'EMKFIFO');
    return false;
  }
  await fs.promises.chmod(pipe, mode); // mkfifo -m already did; explicit for clarity
  if (o.group !== undefined) {
    const gid = await resolveGid(o.group);
    await fs.promises.chown(pipe, -1, gid);
  }
  return true;
}

/**
 * Receives each read; the buffer is reused by the next read, so copy what you
 * keep. With this, the socket emits no 'data', and pause() stops reading the
 * kernel pipe at once (libuv readStop). A streaming socket keeps reading into
 * its own buffer after pause() (up to ~64 KiB) and loses that on destroy().
 */
export type ChunkReceiver = (chunk: Buffer) => void;

/**
 * The size of one read. A read returns what is queued up to this, and the
 * lines of one read are framed and handed over before the next read (with
 * promise callbacks run in between), so it bounds how many lines arrive at
 * once; a pipe bigger than this is drained in several reads.
 */
export const READ_BYTES = 64 * 1024;

/** An open FIFO: the socket reading it, the inode actually opened (to notice the path being replaced later) and its fd. */
export interface OpenedFifo {
  socket: net.Socket;
  ino: number;
  fd: number;
}

/** Open an existing FIFO read-write and non-blocking, as a readable socket on the event loop. */
export function openFifoReader(pipe: string, onChunk?: ChunkReceiver): Promise<OpenedFifo> {
  return new Promise((resolve, reject) => {
    // O_NOFOLLOW: a symlink swapped in after ensureFifo is refused, not followed.
    fs.open(pipe, fs.constants.O_RDWR | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW, (err, fd) => {
      if (err) return reject(err);
      try {
        const st = fs.fstatSync(fd);
        if (!st.isFIFO()) {
          fs.closeSync(fd);
          return reject(new PipeError(`${pipe} is not a FIFO`, 'ENOTFIFO'));
        }
        const onread = onChunk && { buffer: Buffer.allocUnsafe(READ_BYTES), callback: (n: number, buf: Buffer) => void onChunk(buf.subarray(0, n)) };
        const socket = new net.Socket({ fd, readable: true, writable: false, allowHalfOpen: true, ...(onread ? { onread } : {}) });
        resolve({ socket, ino: st.ino, fd });
      } catch (e) {
        try {
          fs.closeSync(fd);
        } catch {
          /* already closed */
        }
        reject(e);
      }
    });
  });
}

/** ensureFifo + openFifoReader (reads go to `onChunk` when given, see ChunkReceiver). */
export async function openPipe(pipe: string, o: EnsurePipeOptions & { onChunk?: ChunkReceiver } = {}): Promise<OpenedFifo & { created: boolean }> {
  const created = await ensureFifo(pipe, o);
  return { ...(await openFifoReader(pipe, o.onChunk)), created };
}
