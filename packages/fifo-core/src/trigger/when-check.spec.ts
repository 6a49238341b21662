import { describe, expect, it } from 'vitest';
import { whenProblem } from './when-check.ts';

describe('whenProblem', () => {
  it.each([
    "NEW.status = 'paid'",
    'NEW.total > 100 AND (OLD.total IS NULL OR OLD.total <= 100)',
    "NEW.note LIKE '%;%'", // ';' inside a string
    'NEW.`weird;name` = 1',
    "NEW.s = 'it''s' OR NEW.s = \"a\\\"b\"",
    'NEW.x IN (SELECT id FROM vip)',
  ])('accepts one condition: %s', (when) => {
    expect(whenProblem(when)).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['1; DROP TABLE orders', /';'/],
    ['1 -- comment', /comment/],
    ['1 # comment', /comment/],
    ['1 /* x */', /comment/],
    ["NEW.s = 'open", /unbalanced ' quote/],
    ['NEW.`x = 1', /unbalanced ` quote/],
    ['1) OR (1', /'\)' without/],
    ['(1', /'\(' without/],
  ])('refuses %j', (when, why) => {
    expect(whenProblem(when)).toMatch(why);
  });
});
