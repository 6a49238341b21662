import { describe, expect, it } from 'vitest';
import { pipeNameProblem } from './pipe-name.ts';

// The same rules as native/src/fifo_path.c fifo_name_check: a name refused here is
// one fifo_write would answer 'false' to on every row.
describe('pipeNameProblem', () => {
  it.each(['orders', 'sms', 'a b', 'ünï', 'x'.repeat(255), 'a..b'])('accepts %j', (name) => {
    expect(pipeNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['../x', /bare name/],
    ['a/b', /bare name/],
    ['/run/dbfifo/sms', /bare name/],
    ['.hidden', /start with '\.'/],
    ['..', /start with '\.'/],
    ['-rf', /start with/],
    ['a\nb', /control/],
    ['a\0b', /control/],
    ['a\x7fb', /control/],
    ['x'.repeat(256), /256 bytes.*at most 255/],
    ['é'.repeat(128), /256 bytes/],
  ])('refuses %j', (name, why) => {
    expect(pipeNameProblem(name)).toMatch(why);
  });
});
