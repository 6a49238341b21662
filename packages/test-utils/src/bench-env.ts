// A benchmark's knobs from the environment. Each bench prefixes its variables
// with its own name (SMS_BENCH_ROWS, STATIC_BENCH_STACK, …) so one shell can
// size several benches without one reading another's value, and a bad value
// stops the run with the variable's name instead of measuring NaN rows.

/** A positive integer (`200_000` reads as 200000), or the fallback when unset or empty. */
export function benchInt(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** A comma-separated list of positive integers (`1000,10000`). */
export function benchInts(name: string, fallback: readonly number[], env: NodeJS.ProcessEnv = process.env): number[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return [...fallback];
  const ns = raw.split(',').map((v) => Number(v.trim().replace(/_/g, '')));
  if (ns.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`${name} must be positive integers, comma separated, got ${JSON.stringify(raw)}`);
  return ns;
}

/** A comma-separated list whose every entry is one of `allowed`. */
export function benchChoices<T extends string>(name: string, fallback: readonly T[], allowed: readonly T[], env: NodeJS.ProcessEnv = process.env): T[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return [...fallback];
  const picked = raw.split(',').map((v) => v.trim());
  const bad = picked.filter((v) => !(allowed as readonly string[]).includes(v));
  if (bad.length > 0) throw new Error(`${name} must list some of ${allowed.join(', ')} (comma separated), got ${JSON.stringify(raw)}`);
  return picked as T[];
}

/** Any non-empty string (a stack name, an output file), or the fallback when unset or empty. */
export function benchString(name: string, fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}
