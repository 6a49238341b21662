import { describe, expect, it } from 'vitest';
import { findBlocks, replaceBlocks, shellWords } from './blocks.ts';

describe('schema file blocks', () => {
  it('splits a command line as a shell would', () => {
    expect(shellWords(`trigger add news --pipe static --when "NEW.a = 'x' AND NEW.b <> \\"y\\"" --columns 'a,b'`)).toEqual([
      'trigger', 'add', 'news', '--pipe', 'static', '--when', `NEW.a = 'x' AND NEW.b <> "y"`, '--columns', 'a,b',
    ]);
    expect(() => shellWords('add "open')).toThrow(/unbalanced/);
  });

  it('finds each block and replaces only its body', () => {
    const text = ['CREATE TABLE t (id INT PRIMARY KEY);', '-- dbfifo trigger add t --pipe p', 'old sql', '-- end of generated triggers', 'tail'].join('\n');
    const blocks = findBlocks(text);
    expect(blocks).toEqual([{ argv: ['add', 't', '--pipe', 'p'], start: 1, end: 3 }]);
    expect(replaceBlocks(text, blocks, ['new sql\nline 2'])).toBe(
      ['CREATE TABLE t (id INT PRIMARY KEY);', '-- dbfifo trigger add t --pipe p', 'new sql', 'line 2', '-- end of generated triggers', 'tail'].join('\n'),
    );
    expect(() => findBlocks('-- dbfifo trigger add t --pipe p\nno end')).toThrow(/line 1/);
  });
});
