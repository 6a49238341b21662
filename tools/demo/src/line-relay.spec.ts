import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { relayLines } from './line-relay.ts';

async function relay(chunks: (string | Buffer)[]): Promise<string[]> {
  const input = new PassThrough();
  const writes: string[] = [];
  const done = relayLines(input, 'w: ', (text) => writes.push(text));
  for (const chunk of chunks) {
    input.write(chunk);
    await new Promise((r) => setImmediate(r)); // one read per chunk, as from a pipe
  }
  input.end();
  await done;
  return writes;
}

describe('relayLines', () => {
  it('a JSON line cut across two reads comes out whole, under one prefix', async () => {
    const line = JSON.stringify({ level: 30, msg: 'banned', address: '203.0.113.7' });
    const writes = await relay([`${line.slice(0, 20)}`, `${line.slice(20)}\n`]);
    expect(writes.join('')).toBe(`w: ${line}\n`);
    expect(JSON.parse(writes.join('').slice(3))).toMatchObject({ address: '203.0.113.7' });
  });

  it('every write holds whole lines only, however the input is cut', async () => {
    const text = Array.from({ length: 50 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(i * 7)}"}\n`).join('');
    const cuts = [3, 17, 64, 65, 200, 1000, 1001, 4096, text.length];
    const chunks = cuts.map((end, i) => text.slice(cuts[i - 1] ?? 0, end));
    const writes = await relay(chunks);
    for (const w of writes) expect(w.endsWith('\n')).toBe(true);
    const lines = writes.join('').split('\n').slice(0, -1);
    expect(lines).toHaveLength(50);
    lines.forEach((l, i) => expect(JSON.parse(l.replace(/^w: /, ''))).toMatchObject({ n: i }));
  });

  it('a multi-byte character split between reads stays one character', async () => {
    const bytes = Buffer.from('naïve ✓\n');
    const writes = await relay([bytes.subarray(0, 3), bytes.subarray(3, 8), bytes.subarray(8)]);
    expect(writes.join('')).toBe('w: naïve ✓\n');
  });

  it('a last line without its newline is completed at the end', async () => {
    expect((await relay(['one\ntwo'])).join('')).toBe('w: one\nw: two\n');
  });
});
