// Property tests of fifo-core's LineFramer with hostile bytes. fifo-core's own
// line-framer.spec.ts covers chunking, overlong lines and UTF-8 with text;
// these add arbitrary binary input: whatever arrives, the framer never throws,
// never emits a line over the limit or containing a newline, and accounts
// for every newline-terminated line exactly once (as a line, a refusal, or a
// blank line it drops).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LineFramer } from '@dbfifo/fifo-core';
import { sizes } from '../src/config.ts';
import { report } from '../src/report.ts';

const bytes = fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a));
// Bias towards the bytes that matter: newline, CR, NUL, invalid UTF-8 leads.
const nasty = fc
  .array(fc.oneof(fc.constantFrom(0x0a, 0x0d, 0x00, 0xff, 0xc0, 0xe2, 0x80), fc.integer({ min: 0, max: 255 })), { maxLength: 3000 })
  .map((a) => Buffer.from(a));

function split(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

describe('LineFramer under hostile bytes', () => {
  it('never throws, never emits a newline or an overlong line, and accounts for every terminated line', () => {
    let cases = 0;
    fc.assert(
      fc.property(fc.oneof(bytes, nasty), fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 2, max: 600 }), (input, cuts, max) => {
        cases++;
        const framer = new LineFramer(max);
        const events = split(input, cuts).flatMap((c) => framer.push(c));
        for (const e of events) {
          if (e.kind === 'line') {
            expect(e.text.includes('\n')).toBe(false);
            expect(Buffer.byteLength(e.text) + 1).toBeLessThanOrEqual(max);
          } else {
            expect(e.raw.length).toBeLessThanOrEqual(max);
          }
        }
        // Every event stands for at least one newline-terminated line (an overlong one may
        // be refused before its newline arrives); never more events than newlines + 1.
        const newlines = input.filter((b) => b === 0x0a).length;
        expect(events.length).toBeLessThanOrEqual(newlines + 1);
      }),
      { numRuns: sizes.propertyRuns },
    );
    report('framer-bytes', { runs: cases });
  });

  it('gives the same events however the same bytes are chunked', () => {
    fc.assert(
      fc.property(fc.oneof(bytes, nasty), fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 2, max: 600 }), (input, cuts, max) => {
        const whole = new LineFramer(max).push(input);
        const framer = new LineFramer(max);
        const pieces = split(input, cuts).flatMap((c) => framer.push(c));
        const norm = (es: typeof whole) => es.map((e) => (e.kind === 'line' ? `L:${e.text}` : `R:${e.reason}`));
        expect(norm(pieces)).toEqual(norm(whole));
      }),
      { numRuns: sizes.propertyRuns },
    );
  });
});
