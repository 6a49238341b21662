// Pure line framing: bytes in, whole lines (or refusals) out. Lines may be split
// across any chunk boundary; a `\r` before `\n` is dropped (the article writes
// concat(mobile,'\r\n')); a line longer than maxLineBytes (newline included) is
// refused once and skipped up to its newline, so memory stays bounded; bytes that
// are not UTF-8 are refused with the raw bytes kept for the dead-letter file.
import { isAscii, isUtf8 } from 'node:buffer';

export type FrameEvent =
  | { kind: 'line'; text: string; bytes: number }
  | { kind: 'refused'; reason: 'too_long' | 'invalid_utf8'; raw: Buffer; bytes: number };

const NL = 0x0a;
const CR = 0x0d;

export class LineFramer {
  /** Bytes of the current, unfinished line (only while it is still within the limit). */
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** True while skipping the rest of an overlong line. */
  private skipping = false;

  constructor(readonly maxLineBytes = 4096) {}

  /** Feed one chunk; returns the lines it completed, in order. */
  push(chunk: Buffer): FrameEvent[] {
    const out: FrameEvent[] = [];
    let start = 0;
    while (start < chunk.length) {
      if (!this.skipping && this.parts.length === 0) {
        start = this.pushAscii(chunk, start, out);
        if (start >= chunk.length) return out;
      }
      const nl = chunk.indexOf(NL, start);
      const end = nl === -1 ? chunk.length : nl;
      if (this.skipping) {
        if (nl === -1) return out;
        this.skipping = false;
        start = nl + 1;
        continue;
      }
      const pieceBytes = end - start;
      // +1 for the newline that ends (or will end) this line.
      if (this.partBytes + pieceBytes + 1 > this.maxLineBytes) {
        const raw = Buffer.concat([...this.parts, chunk.subarray(start, end)]).subarray(0, this.maxLineBytes);
        out.push({ kind: 'refused', reason: 'too_long', raw, bytes: this.partBytes + pieceBytes + (nl === -1 ? 0 : 1) });
        this.parts = [];
        this.partBytes = 0;
        if (nl === -1) {
          this.skipping = true;
          return out;
        }
        start = nl + 1;
        continue;
      }
      if (nl === -1) {
        // Copy: the caller may reuse its buffer, and we keep only small remainders.
        this.parts.push(Buffer.from(chunk.subarray(start)));
        this.partBytes += pieceBytes;
        return out;
      }
      let line = this.parts.length === 0 ? chunk.subarray(start, end) : Buffer.concat([...this.parts, chunk.subarray(start, end)]);
      const bytes = this.partBytes + pieceBytes + 1;
      this.parts = [];
      this.partBytes = 0;
      start = nl + 1;
      if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
      if (line.length === 0) continue; // blank lines carry nothing
      if (!isUtf8(line)) {
        out.push({ kind: 'refused', reason: 'invalid_utf8', raw: Buffer.from(line), bytes });
        continue;
      }
      out.push({ kind: 'line', text: line.toString('utf8'), bytes });
    }
    return out;
  }

  /**
   * The common case, fast: the whole lines from `start` to the chunk's last
   * newline are ASCII, so they are decoded with one call and a character
   * offset is a byte offset. Returns where it stopped (`start` itself when
   * the fast path does not apply; the loop in push() takes it from there).
   */
  private pushAscii(chunk: Buffer, start: number, out: FrameEvent[]): number {
    const last = chunk.lastIndexOf(NL);
    if (last < start || !isAscii(chunk.subarray(start, last))) return start;
    const text = chunk.toString('latin1', start, last + 1);
    let from = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
      const bytes = nl - from + 1;
      if (bytes > this.maxLineBytes) {
        out.push({ kind: 'refused', reason: 'too_long', raw: Buffer.from(chunk.subarray(start + from, start + from + this.maxLineBytes)), bytes });
      } else {
        const end = nl > from && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
        if (end > from) out.push({ kind: 'line', text: text.slice(from, end), bytes });
      }
      from = nl + 1;
    }
    return last + 1;
  }

  /** Bytes of an unfinished line held back (diagnostics; lost if the process stops now). */
  get pendingBytes(): number {
    return this.partBytes;
  }
}
