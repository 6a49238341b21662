// Reads a pipe through the event loop and hands framed lines over, one chunk's
// worth at a time. When the consumer of lines returns a promise (queue relay), or
// asks for a pause (direct dispatcher full), the socket stops reading: lines stay
// in the kernel pipe, writers see it fill, nothing already taken is dropped.
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
}

export class PipeReader {
  private socket: net.Socket | undefined;
  private framer: LineFramer;
  private holds = new Set<string>();
  private busy: Promise<void> | undefined;
  created = false;

  constructor(private readonly o: PipeReaderOptions) {
    this.framer = new LineFramer(o.maxLineBytes);
  }

  async start(): Promise<void> {
    const { socket, created } = await openPipe(this.o.pipe, { mode: this.o.mode, group: this.o.group });
    this.created = created;
    this.socket = socket;
    socket.on('error', (e) => this.o.onError(e));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    if (this.holds.size > 0) socket.pause();
  }

  get open(): boolean {
    return this.socket !== undefined && !this.socket.destroyed;
  }

  get paused(): boolean {
    return this.holds.size > 0;
  }

  /** Stop taking lines off the pipe until resume(reason). */
  hold(reason: string): void {
    this.holds.add(reason);
    this.socket?.pause();
  }

  resume(reason: string): void {
    if (!this.holds.delete(reason) || this.holds.size > 0) return;
    this.socket?.resume();
  }

  /** Stop reading for good; resolves after the chunk being relayed (if any) is handed over. */
  async stop(): Promise<void> {
    this.hold('stopping');
    await this.busy;
    this.socket?.destroy();
    this.socket = undefined;
  }

  private onData(chunk: Buffer): void {
    const receivedAt = new Date();
    const frames = this.framer.push(chunk);
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
