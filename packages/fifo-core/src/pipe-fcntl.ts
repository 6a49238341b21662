// Growing and inspecting the reader's pipe: F_SETPIPE_SZ, F_GETPIPE_SZ and
// FIONREAD, which Node does not offer, through native/build/dbfifo_pipe.node
// (a small N-API addon built by `make -C native`, see native/README.md).
//
// Why the reader grows its pipe although fifo.so does too: the kernel keeps a
// FIFO's buffer (and its size) only while some end is open. The reader holds
// its end for its whole life, so the buffer is big before the first doorbell
// and stays big across server restarts; fifo.so grows it on its own opens for
// readers that do not. Both only ever grow it.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Where `make -C native` builds the addon; tools/deploy/install puts it at the same place in the app tree. */
export const DEFAULT_PIPE_ADDON = fileURLToPath(new URL('../../../native/build/dbfifo_pipe.node', import.meta.url));

const PIPE_MAX_SIZE_FILE = '/proc/sys/fs/pipe-max-size';

/** The addon's own functions (native/addon/dbfifo_pipe.c). */
interface PipeAddon {
  setPipeSize(fd: number, bytes: number): number;
  pipeSize(fd: number): number;
  queuedBytes(fd: number): number;
}

/**
 * A pipe's buffer, by file descriptor (either end). Bad arguments throw a
 * TypeError; an fd that is not an open pipe throws an Error with `code`
 * (`EBADF`). Nothing blocks.
 */
export interface PipeControl {
  /**
   * Grows the pipe of `fd` to at least `bytes`, capped at `maxSize`; never
   * shrinks it. Answers its capacity afterwards: when the kernel refuses
   * (EPERM past the owner's pipe-user-pages-soft, EBUSY, ENOMEM) the capacity
   * it kept, without throwing.
   */
  setSize(fd: number, bytes: number): number;
  /** The pipe's capacity in bytes (F_GETPIPE_SZ). */
  size(fd: number): number;
  /** Bytes written into the pipe and not read yet (FIONREAD). */
  queued(fd: number): number;
  /** /proc/sys/fs/pipe-max-size when loaded (undefined if unreadable): setSize never asks for more. */
  maxSize: number | undefined;
  /** The addon file that was loaded. */
  path: string;
}

/** Why there is no PipeControl: the reader then runs with the pipe's size as it finds it. */
export interface PipeControlMissing {
  missing: string;
}

function readPipeMaxSize(): number | undefined {
  try {
    const value = Number(fs.readFileSync(PIPE_MAX_SIZE_FILE, 'utf8').trim());
    return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

function isPipeAddon(value: unknown): value is PipeAddon {
  const addon = value as Partial<PipeAddon> | null;
  return typeof addon?.setPipeSize === 'function' && typeof addon.pipeSize === 'function' && typeof addon.queuedBytes === 'function';
}

/**
 * Loads the addon from `path` (default: native/build/dbfifo_pipe.node of this
 * repository or app tree). Never throws: a missing or unloadable addon
 * answers `{ missing }` saying why.
 */
export function loadPipeControl(path: string = DEFAULT_PIPE_ADDON): PipeControl | PipeControlMissing {
  if (!fs.existsSync(path)) return { missing: `${path} does not exist: build it with make -C native (needs Node's headers, node_api.h)` };
  let addon: unknown;
  try {
    addon = createRequire(import.meta.url)(path);
  } catch (error) {
    return { missing: `${path} cannot be loaded: ${(error as Error).message.split('\n')[0]}` };
  }
  if (!isPipeAddon(addon)) return { missing: `${path} is not dbfifo_pipe.node: it has no setPipeSize, pipeSize and queuedBytes` };
  const maxSize = readPipeMaxSize();
  return {
    setSize: (fd, bytes) => addon.setPipeSize(fd, maxSize === undefined ? bytes : Math.min(bytes, maxSize)),
    size: (fd) => addon.pipeSize(fd),
    queued: (fd) => addon.queuedBytes(fd),
    maxSize,
    path,
  };
}
