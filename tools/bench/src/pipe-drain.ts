// A bare pipe reader for scenarios that only need the pipe kept empty and
// the lines counted (trigger cost, bulk baseline). Opened O_RDWR|O_NONBLOCK
// like fifo-core does, so it never sees EOF when writers come and go.
import fs from 'node:fs';
import net from 'node:net';
import { createPipe } from '@dbfifo/test-utils';

export interface Drain {
  lines: number;
  bytes: number;
  /** Called for every complete line (without the newline). */
  onLine?: (line: string) => void;
  close(): void;
}

export async function openDrain(path: string, onLine?: (line: string) => void): Promise<Drain> {
  if (!fs.existsSync(path)) await createPipe(path, 0o666);
  const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  const socket = new net.Socket({ fd, readable: true, writable: false });
  const drain: Drain = { lines: 0, bytes: 0, onLine, close: () => socket.destroy() };
  let rest = '';
  socket.on('data', (chunk: Buffer) => {
    drain.bytes += chunk.length;
    const text = rest + chunk.toString('latin1');
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      drain.lines++;
      drain.onLine?.(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  });
  return drain;
}
