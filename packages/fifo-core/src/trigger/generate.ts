// From a table and the options of `dbfifo trigger add` to the CREATE TRIGGER
// statements: pure, so the same text comes out for add, --dry-run, check and the
// benchmark. Every problem with the input is found here, before anything is created.
import { TriggerError } from '../errors.ts';
import { ENVELOPE_KEYS, doorbellMaxBytes, doorbellParts, doorbellSql } from './doorbell.ts';
import { encodingOf, rowColumn } from './column-json.ts';
import { markerStatement } from './marker.ts';
import { GENERATOR_VERSION, type TriggerEvent, type TriggerHeader, type TriggerOptions } from './options.ts';
import { pipeNameProblem } from './pipe-name.ts';
import { displayName, quoteIdent, quoteQualified, sqlString } from './sql-text.ts';
import { column, type ColumnMeta, type TableMeta } from './table-meta.ts';
import { triggerName } from './trigger-name.ts';
import { whenProblem } from './when-check.ts';
import { isDbfifo, pipeOf, sameName, type CatalogTrigger } from './catalog-trigger.ts';

/** fifo_write refuses a line over PIPE_BUF (4096 bytes with its newline). */
export const DOORBELL_MAX_BYTES = 4095;

export interface TriggerPlan {
  event: TriggerEvent;
  schema: string;
  table: string;
  name: string;
  /** The AFTER trigger of the same event this one runs after (the table's last one), if any. */
  follows?: string;
  body: string;
  createSql: string;
  dropSql: string;
}

/** Every reason the options cannot work on this table (empty: they can). */
export function optionProblems(meta: TableMeta, o: TriggerOptions): string[] {
  const problems: string[] = [];
  const table = displayName(meta.schema, meta.name);
  if (meta.primaryKey.length === 0) {
    problems.push(`${table} has no primary key: the doorbell names the changed row by its primary key, and the worker re-reads the row by it. Add one (ALTER TABLE ${quoteQualified(meta.schema, meta.name)} ADD PRIMARY KEY (…)) and run add again`);
  }
  const pipe = pipeNameProblem(o.pipe);
  if (pipe) problems.push(`--pipe ${JSON.stringify(o.pipe)} ${pipe}`);
  if (o.on.length === 0) problems.push('--on names no event (insert, update, delete)');
  for (const [flag, names] of [['--columns', o.columns], ['--fields', o.fields], ['--old-fields', o.oldFields]] as const) {
    for (const n of names) if (!column(meta, n)) problems.push(`${flag}: ${table} has no column ${quoteIdent(n)}`);
  }
  if (!o.on.includes('update')) {
    if (o.columns.length > 0) problems.push('--columns only applies to UPDATE, which --on leaves out');
    if (o.oldFields.length > 0) problems.push('--old-fields only applies to UPDATE, which --on leaves out');
  }
  for (const f of o.fields) if (ENVELOPE_KEYS.includes(f)) problems.push(`--fields: column ${quoteIdent(f)} would take the doorbell's own "${f}" key`);
  if (o.when !== null) {
    const w = whenProblem(o.when);
    if (w) problems.push(`--when ${w}`);
  }
  return problems;
}

/** Doorbells that can be longer than fifo_write takes (it answers 'false'; reconcile catches the row up). */
export function sizeWarnings(meta: TableMeta, o: TriggerOptions): string[] {
  const long = o.on.map((op) => ({ op, n: doorbellMaxBytes(meta, o, op) })).filter((d) => d.n > DOORBELL_MAX_BYTES);
  if (long.length === 0) return [];
  const n = Math.max(...long.map((d) => d.n));
  return [`the ${long.map((d) => d.op).join('/')} doorbell can be up to ${n} bytes long; fifo_write refuses lines over ${DOORBELL_MAX_BYTES} bytes ('false': that row waits for the worker's reconcile). Carry fewer or shorter --fields`];
}

/** A string comparison by bytes: under a _ci collation 'a' <=> 'A', which is a real change. */
function unchanged(c: ColumnMeta): string {
  const binary = ['json-string', 'cast-json-string'].includes(encodingOf(c));
  const side = (row: 'OLD' | 'NEW') => (binary ? `CAST(${rowColumn(row, c)} AS BINARY)` : rowColumn(row, c));
  return `${side('OLD')} <=> ${side('NEW')}`;
}

/** The IF condition of one trigger, or undefined when it always rings. */
function condition(meta: TableMeta, o: TriggerOptions, op: TriggerEvent): string | undefined {
  const parts: string[] = [];
  if (op === 'update' && o.columns.length > 0) {
    // A key change always rings: the row the worker knew by its old key is gone.
    const watched = [...new Set([...o.columns, ...meta.primaryKey])].map((n) => column(meta, n)!);
    parts.push(`NOT (${watched.map(unchanged).join(' AND ')})`);
  }
  if (o.when !== null) parts.push(`(${o.when})`);
  return parts.length > 0 ? parts.join(' AND ') : undefined;
}

export function headerFor(meta: TableMeta, o: TriggerOptions): TriggerHeader {
  return { v: GENERATOR_VERSION, ...o, key: [...meta.primaryKey] };
}

/** The trigger's body, BEGIN … END. */
export function triggerBody(meta: TableMeta, o: TriggerOptions, op: TriggerEvent): string {
  const ring = `DO fifo_write(${sqlString(o.pipe)}, ${doorbellSql(doorbellParts(meta, o, op))});`;
  const cond = condition(meta, o, op);
  return [
    'BEGIN',
    // Never fail the user's statement: no reader, a full pipe or even fifo.so missing
    // (a replica) only lose the doorbell, and the worker's reconcile catches up.
    '  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;',
    `  ${markerStatement(headerFor(meta, o))}`,
    ...(cond ? [`  IF ${cond} THEN`, `    ${ring}`, '  END IF;'] : [`  ${ring}`]),
    'END',
  ].join('\n');
}

/**
 * Plans the triggers of `add`. `existing` is every trigger of the table's schema
 * (trigger names are unique per schema). Throws TriggerError listing every problem.
 */
export function planTriggers(meta: TableMeta, o: TriggerOptions, existing: CatalogTrigger[]): TriggerPlan[] {
  const problems = optionProblems(meta, o);
  if (problems.length > 0) throw new TriggerError(problems);
  const onTable = existing.filter((t) => t.table === meta.name);
  const taken = (name: string) => existing.some((t) => sameName(t.name, name));
  const plans: TriggerPlan[] = [];
  for (const op of o.on) {
    const own = onTable.find((t) => isDbfifo(t) && pipeOf(t) === o.pipe && t.event.toLowerCase() === op);
    let name = own?.name ?? triggerName(meta.name, op);
    if (!own && taken(name)) name = triggerName(meta.name, op, o.pipe);
    if (!own && taken(name)) {
      problems.push(`a trigger named ${quoteIdent(name)} already exists in ${displayName(meta.schema)} and is not dbfifo's ${op} trigger for pipe ${JSON.stringify(o.pipe)}`);
      continue;
    }
    const before = onTable
      .filter((t) => t !== own && t.timing === 'AFTER' && t.event.toLowerCase() === op)
      .sort((a, b) => a.order - b.order)
      .at(-1);
    const trigger = { event: op, schema: meta.schema, table: meta.name, name, follows: before?.name, body: triggerBody(meta, o, op) };
    plans.push({ ...trigger, createSql: createTriggerSql(trigger), dropSql: dropTriggerSql(meta.schema, name) });
  }
  if (problems.length > 0) throw new TriggerError(problems);
  return plans;
}

/** A name in `schema`, or unqualified (undefined: a schema file, loaded into whichever database the user picks). */
const nameIn = (schema: string | undefined, name: string) => (schema === undefined ? quoteIdent(name) : quoteQualified(schema, name));

/** The one CREATE TRIGGER text of a plan: `add` installs it, `--dry-run` prints it, schema files carry it (`inSchema` false). */
export function createTriggerSql(p: Omit<TriggerPlan, 'createSql' | 'dropSql'>, inSchema = true): string {
  const schema = inSchema ? p.schema : undefined;
  return `CREATE TRIGGER ${nameIn(schema, p.name)} AFTER ${p.event.toUpperCase()} ON ${nameIn(schema, p.table)} FOR EACH ROW${p.follows ? ` FOLLOWS ${quoteIdent(p.follows)}` : ''}\n${p.body}`;
}

/** The one DROP TRIGGER text: of a plan, of an installed trigger, or in a schema file (`schema` undefined). */
export function dropTriggerSql(schema: string | undefined, name: string): string {
  return `DROP TRIGGER IF EXISTS ${nameIn(schema, name)}`;
}

/** What --dry-run prints: loadable with the mariadb client. */
export function dryRunSql(plans: TriggerPlan[], command: string): string {
  return [
    `-- ${command.replace(/[\r\n]+/g, " ")}`,
    `-- generated by dbfifo trigger (generator ${GENERATOR_VERSION}); load with: mariadb < this-file`,
    'DELIMITER //',
    ...plans.map((p) => `${p.createSql}//`),
    'DELIMITER ;',
    '',
  ].join('\n');
}
