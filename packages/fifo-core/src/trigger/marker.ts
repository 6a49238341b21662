// How a trigger says "dbfifo made me, with these options". The server keeps
// comments in information_schema.TRIGGERS.ACTION_STATEMENT, but the mariadb client
// strips them before sending (its default --skip-comments), so SQL printed by
// `--dry-run` and loaded with `mariadb db < file` would lose a comment marker. A
// string literal survives both (written so the server shows it back unchanged, see
// sql-text.ts; X'…' hex when the options hold quotes or backslashes), so the
// marker is a statement that never runs:
//
//   IF FALSE THEN DO 'dbfifo-trigger {"v":1,"pipe":"orders",…}'; END IF;
//
// (one constant test per row; the trigger-cost benchmark's `generated` variant
// measures the whole generated trigger).
import { readSqlString, sqlString } from './sql-text.ts';
import { TRIGGER_EVENTS, type TriggerEvent, type TriggerHeader } from './options.ts';

const PREFIX = 'dbfifo-trigger ';
const MARKER_START = 'IF FALSE THEN DO ';

export function markerStatement(header: TriggerHeader): string {
  // Key order fixed so the same options always give the same text (check compares text).
  const ordered: TriggerHeader = {
    v: header.v,
    pipe: header.pipe,
    on: header.on,
    key: header.key,
    columns: header.columns,
    when: header.when,
    fields: header.fields,
    oldFields: header.oldFields,
  };
  return `${MARKER_START}${sqlString(PREFIX + JSON.stringify(ordered))}; END IF;`;
}

export type MarkerRead =
  | { kind: 'none' }
  | { kind: 'dbfifo'; header: TriggerHeader }
  | { kind: 'unreadable'; reason: string };

/** Finds the marker in a trigger body: not dbfifo's, dbfifo's with its header, or dbfifo's but damaged. */
export function readMarker(body: string): MarkerRead {
  const at = body.indexOf(MARKER_START);
  if (at < 0) return { kind: 'none' };
  const literal = readSqlString(body, at + MARKER_START.length);
  if (!literal || !literal.value.startsWith(PREFIX)) return { kind: 'none' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(literal.value.slice(PREFIX.length));
  } catch (e) {
    return { kind: 'unreadable', reason: `marker is not JSON (${(e as Error).message})` };
  }
  const problem = headerProblem(parsed);
  return problem ? { kind: 'unreadable', reason: problem } : { kind: 'dbfifo', header: parsed as TriggerHeader };
}

const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');

function headerProblem(h: unknown): string | undefined {
  if (typeof h !== 'object' || h === null) return 'marker is not an object';
  const o = h as Record<string, unknown>;
  if (typeof o.v !== 'number') return 'marker has no generator version';
  if (typeof o.pipe !== 'string') return 'marker has no pipe';
  if (!isStrings(o.on) || !o.on.every((e) => TRIGGER_EVENTS.includes(e as TriggerEvent))) return 'marker has no valid events';
  for (const k of ['key', 'columns', 'fields', 'oldFields'] as const) if (!isStrings(o[k])) return `marker's ${k} is not a list of names`;
  if (o.when !== null && typeof o.when !== 'string') return "marker's when is not a string";
  return undefined;
}
