// Pointing a test database's blacklist doorbells at a test's own pipe. The
// schema's generated triggers ring the literal pipe 'firewall'; a test (or the
// benchmark) replaces them with the same triggers for its own pipe, made by
// fifo-core's generator from the very command line written in schema.sql, or
// removes them to make doorbells go nowhere.
import { readFileSync } from 'node:fs';
import { addTriggers, parseTriggerArgs, readTriggers } from '@dbfifo/fifo-core/trigger';
import type { Connection } from 'mysql2/promise';

/** The `dbfifo trigger add blacklist …` words of the generated block in `schemaFile`. */
function blockArgs(schemaFile: string): string[] {
  const line = readFileSync(schemaFile, 'utf8').split('\n').find((l) => l.startsWith('-- dbfifo trigger add blacklist '));
  if (!line) throw new Error(`${schemaFile} has no generated block for blacklist`);
  return line.slice('-- dbfifo trigger '.length).split(/\s+/).filter(Boolean);
}

/** Drops every dbfifo doorbell trigger on `schema`.blacklist: rows change silently (the worker learns of them by reconcile only). */
export async function silenceDoorbells(sql: Connection, schema: string): Promise<void> {
  for (const t of await readTriggers(sql, schema)) {
    if (t.table === 'blacklist' && t.marker.kind !== 'none') await sql.query(`DROP TRIGGER IF EXISTS \`${schema}\`.\`${t.name}\``);
  }
}

/** The schema's blacklist doorbells, ringing `pipe` (a bare name or a path inside the pipe directory) instead of 'firewall'. */
export async function ringPipe(sql: Connection, schema: string, schemaFile: string, pipe: string): Promise<void> {
  await silenceDoorbells(sql, schema);
  const [, , ...rest] = blockArgs(schemaFile);
  const at = rest.indexOf('--pipe');
  rest.splice(at, 2, '--pipe', pipe);
  const command = parseTriggerArgs(['add', `${schema}.blacklist`, ...rest]);
  if (command.cmd !== 'add') throw new Error('unreachable');
  await addTriggers(sql, schema, 'blacklist', command.options);
}
