// What a person wants to know about pipes: does it exist, is it a FIFO, is
// anyone reading it. "Has a reader" is probed the way fifo_write sees it: a
// non-blocking write-only open fails with ENXIO when nobody reads.
import fs from 'node:fs';
import path from 'node:path';

export interface PipeState {
  path: string;
  exists: boolean;
  isFifo: boolean;
  hasReader: boolean | undefined;
  mode?: string;
  uid?: number;
  gid?: number;
  error?: string;
}

export function pipeState(p: string): PipeState {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch (e) {
    return { path: p, exists: false, isFifo: false, hasReader: undefined, error: (e as NodeJS.ErrnoException).code };
  }
  const base = { path: p, exists: true, isFifo: st.isFIFO(), mode: `0${(st.mode & 0o777).toString(8)}`, uid: st.uid, gid: st.gid };
  if (!st.isFIFO()) return { ...base, hasReader: undefined };
  try {
    fs.closeSync(fs.openSync(p, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW));
    return { ...base, hasReader: true };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENXIO') return { ...base, hasReader: false };
    return { ...base, hasReader: undefined, error: code };
  }
}

/** Every FIFO in a directory (non-FIFO entries such as *.dead files are skipped). */
export function listPipes(dir: string): PipeState[] {
  return fs
    .readdirSync(dir)
    .sort()
    .map((name) => path.join(dir, name))
    .filter((p) => {
      try {
        return fs.lstatSync(p).isFIFO();
      } catch {
        return false;
      }
    })
    .map(pipeState);
}

export class SendError extends Error {
  override name = 'SendError';
}

/** Write one line like fifo_write: non-blocking, one write(), refused when nobody reads or the pipe is full. */
export function sendLine(p: string, line: string, maxLineBytes = 4096): void {
  const data = Buffer.from(line.endsWith('\n') ? line : `${line}\n`);
  if (data.length > maxLineBytes) throw new SendError(`line is ${data.length} bytes; the limit is ${maxLineBytes} including the newline`);
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  if (!st) throw new SendError(`${p} does not exist`);
  if (!st.isFIFO()) throw new SendError(`${p} is not a FIFO`);
  let fd: number;
  try {
    fd = fs.openSync(p, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENXIO') throw new SendError(`no reader on ${p}: start its worker (or dbfifo watch ${p})`);
    throw e;
  }
  try {
    const n = fs.writeSync(fd, data);
    if (n !== data.length) throw new SendError(`short write (${n} of ${data.length} bytes)`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') throw new SendError(`${p} is full: its reader is not keeping up`);
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}
