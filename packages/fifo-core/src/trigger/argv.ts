// The command line of `dbfifo trigger`. Names may be written bare (shop.orders)
// or in backticks like SQL (`my.db`.`odd``name`), also inside lists
// (--columns 'status,`total, net`').
import { canonicalEvents, TRIGGER_EVENTS, type TriggerEvent, type TriggerOptions } from './options.ts';

export type TriggerCommand =
  | { cmd: 'add'; schema: string; table: string; options: TriggerOptions; dryRun: boolean }
  | { cmd: 'remove'; schema: string; table: string; pipe?: string; dryRun: boolean }
  | { cmd: 'list' | 'check'; schema?: string; table?: string }
  | { cmd: 'help' };

/** The command line itself is wrong (exit 64, with the usage). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Splits `text` at `sep` outside backticks; a backticked piece is unquoted (`` → `). */
export function splitNames(text: string, sep: string, what: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (text[i] === ' ') i++;
    let name = '';
    if (text[i] === '`') {
      let closed = false;
      for (i++; i < text.length; i++) {
        if (text[i] !== '`') name += text[i];
        else if (text[i + 1] === '`') {
          name += '`';
          i++;
        }
        else {
          closed = true;
          i++;
          break;
        }
      }
      if (!closed) throw new UsageError(`${what}: unbalanced backtick in ${JSON.stringify(text)}`);
      while (text[i] === ' ') i++;
      if (i < text.length && text[i] !== sep) throw new UsageError(`${what}: expected '${sep}' after a quoted name in ${JSON.stringify(text)}`);
    } else {
      const end = text.indexOf(sep, i);
      name = text.slice(i, end < 0 ? text.length : end).trim();
      i = end < 0 ? text.length : end;
      if (name.includes('`')) throw new UsageError(`${what}: a backtick inside a bare name in ${JSON.stringify(text)}; quote the whole name`);
    }
    if (name === '') throw new UsageError(`${what}: empty name in ${JSON.stringify(text)}`);
    out.push(name);
    if (i >= text.length) return out;
    i++; // the separator
  }
}

function qualified(text: string, what: string, tableRequired: boolean): { schema: string; table?: string } {
  const parts = splitNames(text, '.', what);
  if (parts.length > 2) throw new UsageError(`${what}: ${JSON.stringify(text)} has more than <db>.<table>; quote a name with dots in backticks`);
  if (tableRequired && parts.length !== 2) throw new UsageError(`${what}: expected <db>.<table>, got ${JSON.stringify(text)}`);
  return { schema: parts[0]!, table: parts[1] };
}

const FLAGS = new Set(['--pipe', '--on', '--columns', '--when', '--fields', '--old-fields']);
const SWITCHES = new Set(['--dry-run']);

/** Splits argv into positionals and --flag values (`--flag v` or `--flag=v`); a flag given twice is an error. */
function flags(args: string[], allowed: string[]): { positional: string[]; values: Map<string, string> } {
  const positional: string[] = [];
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const flag = eq < 0 ? a : a.slice(0, eq);
    if (!allowed.includes(flag) || !(FLAGS.has(flag) || SWITCHES.has(flag))) throw new UsageError(`unknown option ${flag}`);
    if (values.has(flag)) throw new UsageError(`${flag} is given twice`);
    if (SWITCHES.has(flag)) {
      if (eq >= 0) throw new UsageError(`${flag} takes no value`);
      values.set(flag, '');
    } else {
      const v = eq >= 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      values.set(flag, v);
    }
  }
  return { positional, values };
}

const names = (v: string | undefined, flag: string) => (v === undefined ? [] : [...new Set(splitNames(v, ',', flag))]);

function events(v: string | undefined): TriggerEvent[] {
  if (v === undefined) return [...TRIGGER_EVENTS];
  const list = v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const e of list) if (!TRIGGER_EVENTS.includes(e as TriggerEvent)) throw new UsageError(`--on: unknown event ${JSON.stringify(e)} (insert, update, delete)`);
  if (list.length === 0) throw new UsageError('--on names no event (insert, update, delete)');
  return canonicalEvents(list as TriggerEvent[]);
}

export function parseTriggerArgs(argv: string[]): TriggerCommand {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'add': {
      const { positional, values } = flags(rest, ['--pipe', '--on', '--columns', '--when', '--fields', '--old-fields', '--dry-run']);
      if (positional.length !== 1) throw new UsageError('add takes one <db>.<table>');
      const pipe = values.get('--pipe');
      if (pipe === undefined) throw new UsageError('add needs --pipe <name>');
      const { schema, table } = qualified(positional[0]!, 'add', true);
      return {
        cmd,
        schema,
        table: table!,
        dryRun: values.has('--dry-run'),
        options: {
          pipe,
          on: events(values.get('--on')),
          columns: names(values.get('--columns'), '--columns'),
          when: values.get('--when') ?? null,
          fields: names(values.get('--fields'), '--fields'),
          oldFields: names(values.get('--old-fields'), '--old-fields'),
        },
      };
    }
    case 'remove': {
      const { positional, values } = flags(rest, ['--pipe', '--dry-run']);
      if (positional.length !== 1) throw new UsageError('remove takes one <db>.<table>');
      const { schema, table } = qualified(positional[0]!, 'remove', true);
      return { cmd, schema, table: table!, pipe: values.get('--pipe'), dryRun: values.has('--dry-run') };
    }
    case 'list':
    case 'check': {
      const { positional } = flags(rest, []);
      if (positional.length > 1) throw new UsageError(`${cmd} takes at most one <db>[.<table>]`);
      return positional.length === 0 ? { cmd } : { cmd, ...qualified(positional[0]!, cmd, false) };
    }
    case undefined:
      throw new UsageError('which command: add, list, remove or check?');
    case 'help':
    case '--help':
    case '-h':
      return { cmd: 'help' };
    default:
      throw new UsageError(`unknown trigger command ${JSON.stringify(cmd)}`);
  }
}
