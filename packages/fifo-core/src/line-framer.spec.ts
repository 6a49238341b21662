import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LineFramer, type FrameEvent } from './line-framer.ts';

/** Feed `data` cut at the given points; collect everything the framer emits. */
function frame(data: Buffer, cuts: number[], max = 4096): FrameEvent[] {
  const f = new LineFramer(max);
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const out: FrameEvent[] = [];
  let prev = 0;
  for (const p of [...points, data.length]) {
    out.push(...f.push(data.subarray(prev, p)));
    prev = p;
  }
  return out;
}

const texts = (events: FrameEvent[]) => events.map((e) => (e.kind === 'line' ? e.text : `!${e.reason}`));

// Lines without newlines, non-empty after an optional trailing \r is removed.
const lineArb = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
  .map((s) => s.replace(/[\r\n]/g, ''))
  .filter((s) => s.length > 0);

describe('LineFramer', () => {
  it('returns the same lines however the bytes are chunked', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 20 }), fc.boolean(), (lines, cuts, crlf) => {
        const data = Buffer.from(lines.map((l) => l + (crlf ? '\r\n' : '\n')).join(''));
        expect(texts(frame(data, cuts))).toEqual(lines);
      }),
    );
  });

  it('never emits a partial line: an unfinished tail waits for its newline', () => {
    const f = new LineFramer();
    expect(f.push(Buffer.from('{"id":1}\n{"id"'))).toEqual([{ kind: 'line', text: '{"id":1}', bytes: 9 }]);
    expect(f.pendingBytes).toBe(5);
    expect(texts(f.push(Buffer.from(':2}\r\n')))).toEqual(['{"id":2}']);
  });

  it('splits multi-byte characters across chunks correctly', () => {
    const data = Buffer.from('héllo wörld ☃ 😀\n');
    for (let cut = 0; cut <= data.length; cut++) expect(texts(frame(data, [cut]))).toEqual(['héllo wörld ☃ 😀']);
  });

  it('refuses an overlong line once, skips to its newline, and reads the next line', () => {
    fc.assert(
      fc.property(fc.integer({ min: 17, max: 200 }), fc.array(fc.nat(), { maxLength: 10 }), (extra, cuts) => {
        const max = 16;
        const long = 'x'.repeat(max + extra);
        const data = Buffer.from(`ok1\n${long}\nok2\n`);
        const out = frame(data, cuts, max);
        expect(texts(out)).toEqual(['ok1', '!too_long', 'ok2']);
        const refused = out[1]!;
        expect(refused.kind === 'refused' && refused.raw.length).toBe(max);
      }),
    );
  });

  it('counts the newline in the limit: max-1 bytes of text fit, max do not', () => {
    const f = new LineFramer(8);
    expect(texts(f.push(Buffer.from('1234567\n12345678\n')))).toEqual(['1234567', '!too_long']);
  });

  it('refuses invalid UTF-8 with the raw bytes kept, and keeps going', () => {
    const bad = Buffer.from([0x66, 0x6f, 0xff, 0xfe, 0x6f]);
    const data = Buffer.concat([bad, Buffer.from('\nnext\n')]);
    const out = frame(data, [3]);
    expect(texts(out)).toEqual(['!invalid_utf8', 'next']);
    expect(out[0]!.kind === 'refused' && out[0]!.raw.equals(bad)).toBe(true);
  });

  it('drops blank lines', () => {
    expect(texts(frame(Buffer.from('\n\r\na\n\n'), []))).toEqual(['a']);
  });
});
