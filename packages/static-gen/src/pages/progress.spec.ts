import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { createProgress } from './progress.ts';

function capture(isTTY: boolean) {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & { text(): string };
  let out = '';
  (stream as unknown as PassThrough).on('data', (d: Buffer) => (out += d.toString()));
  Object.assign(stream, { isTTY, columns: 100, text: () => out });
  return stream;
}

describe('progress', () => {
  it('draws a bar in place on a terminal and ends the line', () => {
    const s = capture(true);
    const p = createProgress({ stream: s, label: 'rebuild' });
    p.update(0, 4);
    p.update(4, 4);
    p.finish('4 rendered');
    expect(s.text()).toMatch(/^\rrebuild \[░+\]\s+0\.0% 0\/4/);
    expect(s.text()).toMatch(/\rrebuild \[█+\] 100\.0% 4\/4 .*\x1b\[K\nrebuild: 4 rendered in \d+\.\d s\n$/);
  });

  it('writes plain lines (never \\r) when not a terminal: periodically and at the end', () => {
    const s = capture(false);
    const p = createProgress({ stream: s, label: 'rebuild', lineEveryMs: 60_000 });
    for (let i = 0; i <= 1000; i++) p.update(i, 1000);
    p.finish('done');
    const lines = s.text().trimEnd().split('\n');
    expect(s.text()).not.toContain('\r');
    expect(lines[0]).toMatch(/^rebuild: 0\/1000 \(0\.0%\)/);
    expect(lines).toContainEqual(expect.stringMatching(/^rebuild: 1000\/1000 \(100\.0%\)/));
    expect(lines.length).toBe(3); // first, last, summary: not one per page
  });
});
