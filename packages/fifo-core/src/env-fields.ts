// Typed environment fields: each names its variable, default and doc, and parses
// one raw string. Reading `process.env` itself is config.ts's job; this file only
// turns strings into values or problems, so every problem can be listed at once.

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface Field<T> {
  /** Environment variable name, e.g. DBFIFO_CONCURRENCY. */
  readonly name: string;
  /** Human description of the expected value, e.g. "integer >= 1". */
  readonly kind: string;
  readonly doc?: string;
  /** The default as shown to people (undefined: required or optional without default). */
  readonly defaultText?: string;
  parse(raw: string | undefined): Parsed<T>;
}

export type FieldValue<F> = F extends Field<infer T> ? T : never;

const missing = (name: string, kind: string): Parsed<never> => ({ ok: false, problem: `${name} is required (${kind})` });
const bad = (name: string, raw: string, kind: string): Parsed<never> => ({
  ok: false,
  problem: `${name}=${JSON.stringify(raw)} is not a valid ${kind}`,
});
// An empty variable (`FOO=`) counts as unset: shells and EnvironmentFile= produce them easily.
const blank = (raw: string | undefined): raw is undefined => raw === undefined || raw.trim() === '';

function field<T>(name: string, kind: string, o: { default?: T; doc?: string; optional?: boolean },
  convert: (raw: string) => T | undefined): Field<T> {
  return {
    name,
    kind,
    doc: o.doc,
    defaultText: o.default === undefined ? undefined : String(o.default),
    parse(raw) {
      if (blank(raw)) {
        if (o.default !== undefined) return { ok: true, value: o.default };
        if (o.optional) return { ok: true, value: undefined as T };
        return missing(name, kind);
      }
      const value = convert(raw.trim());
      return value === undefined ? bad(name, raw, kind) : { ok: true, value };
    },
  };
}

function numeric(name: string, integer: boolean,
  o: { default?: number; min?: number; max?: number; doc?: string; optional?: boolean }) {
  const range = [o.min !== undefined ? `>= ${o.min}` : '', o.max !== undefined ? `<= ${o.max}` : ''].filter(Boolean).join(' and ');
  const kind = `${integer ? 'integer' : 'number'}${range ? ` ${range}` : ''}`;
  return field<number>(name, kind, o, (raw) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) return undefined;
    if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) return undefined;
    return n;
  });
}

type Opt<T> = { default?: T; doc?: string };

export const env = {
  string: ((name: string, o: Opt<string> & { optional?: boolean } = {}) =>
    field<string>(name, 'string', o, (raw) => raw)) as {
    (name: string, o: Opt<string> & { optional: true }): Field<string | undefined>;
    (name: string, o?: Opt<string> & { optional?: false }): Field<string>;
  },
  int: ((name: string, o: Opt<number> & { min?: number; max?: number; optional?: boolean } = {}) => numeric(name, true, o)) as {
    (name: string, o: Opt<number> & { min?: number; max?: number; optional: true }): Field<number | undefined>;
    (name: string, o?: Opt<number> & { min?: number; max?: number; optional?: false }): Field<number>;
  },
  number: ((name: string, o: Opt<number> & { min?: number; max?: number; optional?: boolean } = {}) => numeric(name, false, o)) as {
    (name: string, o: Opt<number> & { min?: number; max?: number; optional: true }): Field<number | undefined>;
    (name: string, o?: Opt<number> & { min?: number; max?: number; optional?: false }): Field<number>;
  },
  bool(name: string, o: Opt<boolean> = {}): Field<boolean> {
    return field<boolean>(name, 'boolean (true/false/1/0/yes/no)', o, (raw) => {
      const v = raw.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      return undefined;
    });
  },
  oneOf<V extends string>(name: string, values: readonly V[], o: Opt<V> = {}): Field<V> {
    return field<V>(name, `one of ${values.join('|')}`, o, (raw) => (values.includes(raw as V) ? (raw as V) : undefined));
  },
  list(name: string, o: Opt<string[]> & { optional?: boolean } = {}): Field<string[]> {
    const f = field<string[]>(name, 'comma-separated list', { ...o, default: o.default ?? (o.optional ? [] : undefined) },
      (raw) => raw.split(',').map((s) => s.trim()).filter(Boolean));
    return { ...f, defaultText: o.default?.join(',') };
  },
  /** File mode as an octal string ("620" or "0620" or "0o620"). */
  octal(name: string, o: Opt<number> = {}): Field<number> {
    const f = field<number>(name, 'octal file mode (e.g. 0620)', o, (raw) => {
      const m = /^(?:0o?)?([0-7]{1,4})$/i.exec(raw);
      return m ? parseInt(m[1]!, 8) : undefined;
    });
    return { ...f, defaultText: o.default === undefined ? undefined : `0${o.default.toString(8)}` };
  },
};

/** Parse every field of a spec against `source`; returns values and the list of problems. */
export function parseSpec<S extends Record<string, Field<unknown>>>(spec: S, source: Record<string, string | undefined>) {
  const values = {} as { [K in keyof S]: FieldValue<S[K]> };
  const problems: string[] = [];
  for (const key of Object.keys(spec) as (keyof S)[]) {
    const f = spec[key]!;
    const r = f.parse(source[f.name]);
    if (r.ok) values[key] = r.value as FieldValue<S[typeof key]>;
    else problems.push(r.problem);
  }
  return { values, problems };
}
