// Predictable trigger names: dbfifo_<table>_<op>. A second pipe on the same table
// gets dbfifo_<table>_<op>_<pipe>. A name longer than MariaDB's 64 characters, or a
// pipe suffix with characters an identifier reader would stumble on, becomes
// <prefix>_<hash>_<op>: the hash (of the full name) keeps it unique and the same
// on every run.
import { createHash } from 'node:crypto';
import type { TriggerEvent } from './options.ts';

/** NAME_CHAR_LEN: identifiers are at most 64 characters. */
export const TRIGGER_NAME_MAX = 64;

export function triggerName(table: string, op: TriggerEvent, pipe?: string): string {
  const suffix = pipe === undefined ? '' : `_${pipe}`;
  const full = `dbfifo_${table}_${op}${suffix}`;
  const plainSuffix = pipe === undefined || /^[A-Za-z0-9_]+$/.test(pipe);
  if (plainSuffix && [...full].length <= TRIGGER_NAME_MAX) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  const tail = `_${hash}_${op}`;
  const head = [...`dbfifo_${table}`].slice(0, TRIGGER_NAME_MAX - tail.length).join('');
  return `${head}${tail}`;
}
