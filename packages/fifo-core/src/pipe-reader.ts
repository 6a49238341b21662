// Reads a pipe through the event loop and hands framed lines over, one chunk's
// worth at a time. When the consumer of lines returns a promise (queue relay), or
// asks for a pause (direct dispatcher full), the socket stops reading the kernel
// pipe at once (onread mode, see pipe-open.ts): lines stay in the pipe, writers
// see it fill, and nothing taken off the pipe sits in a buffer that stop() drops.
//
// A pipe removed or replaced under a running worker (rm, fifo_remove + fifo_create)
// would leave it reading an inode nobody can open any more; a cheap periodic lstat
// notices, re-creates/re-opens the path, and drains the old inode for a while.
import fs from 'node:fs';
import type net from 'node:net';
import { LineFramer, type FrameEvent } from './line-framer.ts';
import { openPipe } from './pipe-open.ts';

export interface PipeReaderOptions {
  pipe: string;
  mode?: number;
  group?: string;
  maxLineBytes: number;
  /** Lines of one chunk; return a promise to hold reading until it settles. */
  onFrames(frames: FrameEvent[], receivedAt: Date): void | Promise<void>;
  onError(e: unknown): void;
  /** Told when the path was removed/replaced and has been re-opened. */
  onReopen?(reason: string): void;
  /** How often to check that the path is still our FIFO (default 2000 ms; 0 = never). */
  checkIntervalMs?: number;
  /** How long an old, replaced inode is still drained (default 5000 ms). */
  drainOldMs?: number;
}

interface Source {
  socket: net.Socket;
  framer: LineFramer;
  ino: number;
}

export class PipeReader {
  private current: Source | undefined;
  private sources = new Set<Source>();
  private holds = new Set<string>();
  private busy: Promise<void> | undefined;
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

  private async open(): Promise<void> {
    const framer = new LineFramer(this.o.maxLineBytes);
    // Reads start once the socket exists, on a later event-loop turn: `src` is set by then.
    let src: Source | undefined;
    const onChunk = (chunk: Buffer) => this.onData(src!, chunk);
    const { socket, created, ino } = await openPipe(this.o.pipe, { mode: this.o.mode, group: this.o.group, onChunk });
    if (this.current === undefined) this.created = created;
    src = { socket, framer, ino };
    socket.on('error', (e) => this.o.onError(e));
    socket.on('close', () => this.sources.delete(src!));
    if (this.holds.size > 0) socket.pause();
    this.sources.add(src);
    this.current = src;
  }

  /** Is the path still the FIFO we read? If not, open the new one and drain the old one a while. */
  private async check(): Promise<void> {
    if (this.stopped || this.reopening || !this.current) return;
    const st = await fs.promises.lstat(this.o.pipe).catch(() => undefined);
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

  /** Stop taking lines off the pipe until resume(reason). */
  hold(reason: string): void {
    this.holds.add(reason);
    for (const s of this.sources) s.socket.pause();
  }

  resume(reason: string): void {
    if (!this.holds.delete(reason) || this.holds.size > 0) return;
    for (const s of this.sources) s.socket.resume();
  }

  /** Stop reading for good; resolves after the chunk being relayed (if any) is handed over. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.hold('stopping');
    await this.busy;
    for (const s of this.sources) s.socket.destroy();
    this.sources.clear();
    this.current = undefined;
  }

  private onData(src: Source, chunk: Buffer): void {
    const receivedAt = new Date();
    const frames = src.framer.push(chunk);
    if (frames.length === 0) return;
    if (this.busy) {
      // A chunk that was already buffered when we paused: keep order behind the one in progress.
      this.track(this.busy.then(() => this.o.onFrames(frames, receivedAt)));
      return;
    }
    let r: void | Promise<void>;
    try {
      r = this.o.onFrames(frames, receivedAt);
    } catch (e) {
      this.o.onError(e);
      return;
    }
    if (r && typeof r.then === 'function') this.track(r);
  }

  private track(p: Promise<void>): void {
    this.hold('frames');
    const mine: Promise<void> = p
      .catch((e) => this.o.onError(e))
      .finally(() => {
        if (this.busy !== mine) return;
        this.busy = undefined;
        this.resume('frames');
      });
    this.busy = mine;
  }
}
