// Literal paths in trigger bodies (a trigger cannot take parameters). Only
// the benchmark's own pipe paths get here; refuse anything that would need escaping.
export function sqlString(value: string): string {
  if (!/^[\w/.-]+$/.test(value)) throw new Error(`refusing to inline ${JSON.stringify(value)} into SQL`);
  return `'${value}'`;
}
