// What the fifo.so integration tests share: a SQL connection with the UDFs,
// pipes in the stack's pipe directory, and a reader that collects lines.
import { openSync, closeSync, constants, readSync, writeSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { basename, join } from 'node:path';
import type { Connection, ConnectionOptions } from 'mysql2/promise';
import { connect, createPipe, createTestDatabase, removePipe, stackEnv, uniquePipePath, waitFor, tempDir, type TestDatabase } from '@dbfifo/test-utils';

export const articleDir = new URL('../../sql/article/', import.meta.url).pathname;

export interface Pipe {
  /** Absolute path in the stack's pipe directory. */
  path: string;
  /** The bare name fifo.so resolves inside DBFIFO_PIPE_DIR. */
  name: string;
  remove(): Promise<void>;
}

export async function makePipe(label: string): Promise<Pipe> {
  const path = await createPipe(uniquePipePath(`native-${label}`));
  return { path, name: basename(path), remove: () => removePipe(path) };
}

/**
 * Reads a pipe the way fifo-core does: opened read-write and non-blocking,
 * so it never sees end-of-file between writers. Keeps every line (without
 * its '\n', a '\r' kept) in arrival order.
 */
export class LineCollector {
  readonly lines: string[] = [];
  private partial = '';
  private readonly socket: Socket;

  constructor(path: string) {
    const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
    this.socket = new Socket({ fd, readable: true, writable: false });
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
    });
  }

  async waitForLines(count: number, timeoutMs = 10_000): Promise<string[]> {
    await waitFor(() => this.lines.length >= count, { timeoutMs, message: `${count} lines (have ${this.lines.length})` });
    return this.lines;
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * Holds a pipe open read-write without reading: lines stay in it (for
 * fifo_read) and it can be filled up (for the full-pipe case).
 */
export class PipeHolder {
  readonly fd: number;

  constructor(path: string) {
    this.fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  }

  write(text: string): void {
    writeSync(this.fd, text);
  }

  /** Writes until the kernel says EAGAIN: the pipe is full. */
  fill(): number {
    const block = Buffer.alloc(4096, 'f');
    let total = 0;
    for (;;) {
      try {
        total += writeSync(this.fd, block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return total;
        throw error;
      }
    }
  }

  /** Reads until the kernel says EAGAIN: the pipe is empty. Returns the bytes read. */
  drain(): number {
    const buffer = Buffer.alloc(65536);
    let total = 0;
    for (;;) {
      try {
        const n = readSync(this.fd, buffer);
        if (n === 0) return total;
        total += n;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return total;
        throw error;
      }
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}

export interface SqlWorld {
  db: TestDatabase;
  sql: Connection;
  close(): Promise<void>;
}

/**
 * UDF string results are binary strings (the UDF API has no charset), which
 * mysql2 hands out as Buffers; the mariadb client shows them as text. Tests
 * compare text.
 */
const binaryAsText: NonNullable<ConnectionOptions['typeCast']> = (field, next) => {
  if (field.type === 'VAR_STRING' || field.type === 'STRING' || field.type === 'BLOB') {
    const value = field.buffer();
    return value === null ? null : value.toString('utf8');
  }
  return next();
};

/** A connection of our own; text results, whatever the column charset. */
export function connectText(url: string): Promise<Connection> {
  return connect(url, { typeCast: binaryAsText });
}

/** A database of our own with the UDFs available (they are global). */
export async function sqlWorld(label: string, sqlFiles: string[] = []): Promise<SqlWorld> {
  const db = await createTestDatabase(`native_${label}`, sqlFiles);
  const sql = await connectText(db.url);
  return {
    db,
    sql,
    close: async () => {
      await sql.end();
      await db.drop();
    },
  };
}

/** One value of a one-row, one-column query. */
export async function scalar<T = string | null>(sql: Connection, query: string, params: unknown[] = []): Promise<T> {
  const [rows] = await sql.query({ sql: query, rowsAsArray: true }, params);
  return (rows as unknown[][])[0]![0] as T;
}

/** Loads a copy of an article file with its pipe name 'myfifo' replaced. */
export async function loadWithPipe(db: TestDatabase, file: string, pipeName: string): Promise<void> {
  const text = await readFile(join(articleDir, file), 'utf8');
  const dir = tempDir('native-sql-');
  const copy = join(dir, file);
  await writeFile(copy, text.replaceAll("'myfifo'", `'${pipeName}'`));
  await db.load(copy);
}

export function pipeDir(): string {
  return stackEnv().pipeDir;
}
