// Reads a pipe through the event loop and hands framed lines over, one read's
// worth at a time, at reader speed: whatever the consumers of lines do, the
// reader keeps the pipe drained, so a trigger's fifo_write finds room.
// Backpressure stops here: the runtime merges, batches or drops doorbells
// (see pending.ts, catch-up.ts); it never stops reading to make writers wait.
//
// It also tells when the pipe was full, because then writers were answered
// 'false' and doorbells may have been lost. What was queued before a read is
// the read plus what is still queued after it (FIONREAD, through the native
// addon). The kernel keeps a pipe's bytes in page-sized slots, one write per
// slot unless it fits after the last write in the last slot, and refuses a
// line when no slot is free: with long or mixed lines a pipe can be full
// while half its bytes are free. So the lines of the read are packed into
// pages as the kernel packed them (each line its own write, as fifo_write
// writes them), the rest of the queue is taken to pack alike, and the pipe
// was full when that fills every slot but one (erring towards a catch-up
// too many, never one too few).
//
// Only stop() stops reading, and at once (onread mode, see pipe-open.ts):
// lines not taken stay in the kernel pipe for the next reader.
//
// A pipe removed or replaced under a running worker (rm, fifo_remove + fifo_create)
// would leave it reading an inode nobody can open any more; a cheap periodic lstat
// notices, re-creates/re-opens the path, and drains the old inode for a while.
import fs from 'node:fs';
import type net from 'node:net';
import { LineFramer, type FrameEvent } from './line-framer.ts';
import { openPipe, READ_BYTES } from './pipe-open.ts';
import type { PipeControl } from './pipe-fcntl.ts';

export interface PipeReaderOptions {
  pipe: string;
  mode?: number;
  group?: string;
  maxLineBytes: number;
  /** Lines of one read. */
  onFrames(frames: FrameEvent[], receivedAt: Date): void;
  onError(e: unknown): void;
  /** Told when the path was removed/replaced and has been re-opened. */
  onReopen?(reason: string): void;
  /** Told when a read found the pipe full: writers may have been answered 'false'. */
  onFull?(queuedBytes: number, capacity: number): void;
  /** Size and inspect the pipe (the native addon); without it, capacity is assumed and fullness guessed. */
  control?: PipeControl;
  /** Pipe buffer size to ask for (F_SETPIPE_SZ; 0 = leave it). */
  pipeSize?: number;
  /** How often to check that the path is still our FIFO (default 2000 ms; 0 = never). */
  checkIntervalMs?: number;
  /** How long an old, replaced inode is still drained (default 5000 ms). */
  drainOldMs?: number;
}

interface Source {
  socket: net.Socket;
  framer: LineFramer;
  ino: number;
  fd: number;
  capacity: number;
  /** Bytes read back to back in full buffers (without the addon, the only measure of a backlog). */
  backlog: number;
  /** The current backlog was already reported full. */
  reported: boolean;
}

/** A Linux pipe's default capacity, assumed when it cannot be asked. */
const DEFAULT_CAPACITY = 64 * 1024;
/** The size of one slot of a pipe's buffer (a page). */
const PAGE_BYTES = 4096;

/**
 * The pages `frames` take in a pipe, written one line per write: a line goes
 * after the previous one if the page has room, else into a page of its own.
 * Bytes of the read that no frame accounts for (a line's start or end in
 * another read) count as full pages.
 */
function pagesOf(frames: FrameEvent[], read: number): number {
  let pages = 0;
  let room = 0;
  let framed = 0;
  for (const f of frames) {
    framed += f.bytes;
    if (f.bytes <= room) {
      room -= f.bytes;
    } else {
      pages += Math.ceil(f.bytes / PAGE_BYTES);
      room = (PAGE_BYTES - (f.bytes % PAGE_BYTES)) % PAGE_BYTES;
    }
  }
  return pages + Math.max(0, read - framed) / PAGE_BYTES;
}

export class PipeReader {
  private current: Source | undefined;
  private sources = new Set<Source>();
  private timer: NodeJS.Timeout | undefined;
  private reopening = false;
  private stopped = false;
  created = false;
  reopened = 0;

  constructor(private readonly o: PipeReaderOptions) {}

  async start(): Promise<void> {
    await this.open();
    const every = this.o.checkIntervalMs ?? 2000;
    if (every > 0) {
      this.timer = setInterval(() => void this.check(), every);
      this.timer.unref();
    }
  }

  /** The capacity of the pipe being read (what F_GETPIPE_SZ says, or the assumed default). */
  get capacity(): number {
    return this.current?.capacity ?? DEFAULT_CAPACITY;
  }

  private async open(): Promise<void> {
    const framer = new LineFramer(this.o.maxLineBytes);
    // Reads start once the socket exists, on a later event-loop turn: `src` is set by then.
    let src: Source | undefined;
    const onChunk = (chunk: Buffer) => this.onData(src!, chunk);
    const { socket, created, ino, fd } = await openPipe(this.o.pipe, { mode: this.o.mode, group: this.o.group, onChunk });
    if (this.current === undefined) this.created = created;
    src = { socket, framer, ino, fd, capacity: this.sizePipe(fd), backlog: 0, reported: false };
    socket.on('error', (e) => this.o.onError(e));
    socket.on('close', () => this.sources.delete(src!));
    if (this.stopped) socket.pause();
    this.sources.add(src);
    this.current = src;
  }

  /** Grow the pipe's buffer (the kernel keeps it while we hold the pipe open) and learn its capacity. */
  private sizePipe(fd: number): number {
    const c = this.o.control;
    if (!c) return DEFAULT_CAPACITY;
    try {
      return this.o.pipeSize ? c.setSize(fd, this.o.pipeSize) : c.size(fd);
    } catch (e) {
      this.o.onError(e);
      return DEFAULT_CAPACITY;
    }
  }

  /** Is the path still the FIFO we read? If not, open the new one and drain the old one a while. */
  private async check(): Promise<void> {
    if (this.stopped || this.reopening || !this.current) return;
    const st = await fs.promises.lstat(this.o.pipe).catch(() => undefined);
    // Stopped while lstat ran: nothing to check any more.
    if (this.stopped || !this.current) return;
    if (st?.isFIFO() && st.ino === this.current.ino) return;
    this.reopening = true;
    const old = this.current;
    try {
      await this.open();
      this.reopened++;
      this.o.onReopen?.(st ? 'path replaced' : 'path removed');
      setTimeout(() => old.socket.destroy(), this.o.drainOldMs ?? 5000).unref();
    } catch (e) {
      this.o.onError(e);
    } finally {
      this.reopening = false;
    }
  }

  /** True while the pipe is open for reading. */
  get isOpen(): boolean {
    return this.current !== undefined && !this.current.socket.destroyed;
  }

  /** Stop reading for good: what is still in the kernel pipe stays there for the next reader. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const s of this.sources) {
      s.socket.pause();
      s.socket.destroy();
    }
    this.sources.clear();
    this.current = undefined;
  }

  private onData(src: Source, chunk: Buffer): void {
    if (this.stopped) return;
    const receivedAt = new Date();
    const frames = src.framer.push(chunk);
    this.lookForFull(src, chunk.length, frames);
    if (frames.length === 0) return;
    try {
      this.o.onFrames(frames, receivedAt);
    } catch (e) {
      this.o.onError(e);
    }
  }

  /** Was the pipe full before this read? (See the top of this file.) Reported once per backlog. */
  private lookForFull(src: Source, read: number, frames: FrameEvent[]): void {
    src.backlog += read;
    // Once this backlog is reported, no need to ask the kernel again (a system call per read) until it is over.
    if (!src.reported && read > 0) {
      let before = src.backlog;
      if (this.o.control) {
        try {
          before = read + this.o.control.queued(src.fd);
        } catch {
          /* keep the backlog measure */
        }
      }
      const slots = Math.max(1, Math.floor(src.capacity / PAGE_BYTES));
      if (pagesOf(frames, read) * (before / read) >= slots - 1) {
        src.reported = true;
        this.o.onFull?.(before - read, src.capacity);
      }
    }
    // A read short of the buffer emptied the pipe: the backlog is over.
    if (read < READ_BYTES) {
      src.backlog = 0;
      src.reported = false;
    }
  }
}
