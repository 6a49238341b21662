// Named pipes for tests, inside the stack's pipe directory: the only place
// fifo.so is allowed to touch.
import { execFile } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stackEnv } from './stack-env.ts';

const run = promisify(execFile);
let counter = 0;

/** A fresh path in the stack's pipe directory; nothing is created. */
export function uniquePipePath(name: string): string {
  const safe = name.replace(/[^a-zA-Z0-9_-]/g, '-');
  return join(stackEnv().pipeDir, `${safe}-${process.pid}-${Date.now().toString(36)}-${counter++}`);
}

/** mkfifo + a mode the server's user can write (it runs as `mysql`). */
export async function createPipe(path: string, mode = 0o666): Promise<string> {
  await run('mkfifo', ['-m', mode.toString(8), '--', path]);
  await chmod(path, mode);
  return path;
}

export async function removePipe(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** Writes lines the way fifo_write does: one non-blocking open, one write per line (a string gets its '\n'; a Buffer goes as it is). */
export function writeLines(pipe: string, lines: (string | Buffer)[]): void {
  const fd = openSync(pipe, constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    for (const l of lines) writeSync(fd, typeof l === 'string' ? Buffer.from(`${l}\n`) : l);
  } finally {
    closeSync(fd);
  }
}
