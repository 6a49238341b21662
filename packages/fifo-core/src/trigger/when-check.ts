// --when is SQL by definition: it is pasted into the trigger as `IF (<when>) THEN`.
// It is trusted input from the operator who runs the command, like any SQL they
// could run with that account. This check only keeps it one condition: no ';'
// (a second statement), no comment (it would swallow the rest of the line),
// balanced quotes and parentheses (so it cannot close the IF's parenthesis).
// The server then compiles it with the trigger: a wrong column or a NEW in a
// DELETE trigger fails the CREATE, and `add` removes what it had created.

export function whenProblem(when: string): string | undefined {
  if (when.trim() === '') return 'is empty';
  let depth = 0;
  for (let i = 0; i < when.length; i++) {
    const c = when[i]!;
    if (c === "'" || c === '"' || c === '`') {
      const end = closingQuote(when, i);
      if (end < 0) return `has an unbalanced ${c} quote`;
      i = end;
    } else if (c === ';') {
      return "contains ';': it must be one condition, not statements";
    } else if (c === '#' || (c === '-' && when[i + 1] === '-') || (c === '/' && when[i + 1] === '*')) {
      return "contains a comment marker ('--', '#' or '/*')";
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      if (--depth < 0) return "has a ')' without its '('";
    }
  }
  return depth === 0 ? undefined : "has a '(' without its ')'";
}

/** Index of the quote that closes the one at `start` (doubled quotes and, outside backticks, backslashes escape), or -1. */
function closingQuote(s: string, start: number): number {
  const q = s[start]!;
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === '\\' && q !== '`') i++;
    else if (s[i] === q) {
      if (s[i + 1] !== q) return i;
      i++;
    }
  }
  return -1;
}
