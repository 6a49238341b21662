// `dbfifo trigger check`: installed triggers against what `add` would generate
// today from the options they carry, on the table as it is now.
import { isDbfifo, pipeOf, type CatalogTrigger } from './catalog-trigger.ts';
import { optionProblems, triggerBody } from './generate.ts';
import { GENERATOR_VERSION, TRIGGER_EVENTS, type TriggerEvent, type TriggerHeader, type TriggerOptions } from './options.ts';
import { quoteIdent, sameSql } from './sql-text.ts';
import { column, type TableMeta } from './table-meta.ts';

/** dbfifo's triggers of one table that ring one pipe (pipe undefined: markers that cannot be read). */
export interface PipeGroup {
  schema: string;
  table: string;
  pipe: string | undefined;
  triggers: CatalogTrigger[];
}

export function groupByPipe(triggers: CatalogTrigger[]): PipeGroup[] {
  const groups = new Map<string, PipeGroup>();
  for (const t of triggers.filter(isDbfifo)) {
    const pipe = pipeOf(t);
    const k = JSON.stringify([t.schema, t.table, pipe ?? null]);
    const g = groups.get(k) ?? { schema: t.schema, table: t.table, pipe, triggers: [] };
    g.triggers.push(t);
    groups.set(k, g);
  }
  const rank = (t: CatalogTrigger) => TRIGGER_EVENTS.indexOf(t.event.toLowerCase() as TriggerEvent);
  for (const g of groups.values()) g.triggers.sort((a, b) => rank(a) - rank(b));
  return [...groups.values()];
}

export function headerOf(g: PipeGroup): TriggerHeader | undefined {
  const t = g.triggers.find((x) => x.marker.kind === 'dbfifo');
  return t?.marker.kind === 'dbfifo' ? t.marker.header : undefined;
}

export function optionsOf(h: TriggerHeader): TriggerOptions {
  return { pipe: h.pipe, on: h.on, columns: h.columns, when: h.when, fields: h.fields, oldFields: h.oldFields };
}

const list = (names: string[]) => `(${names.map(quoteIdent).join(', ')})`;

/** Why the group no longer matches what add generates; empty when it does. */
export function drift(g: PipeGroup, meta: TableMeta): string[] {
  const reasons: string[] = [];
  for (const t of g.triggers) if (t.marker.kind === 'unreadable') reasons.push(`${quoteIdent(t.name)}: dbfifo's marker cannot be read (${t.marker.reason})`);
  const h = headerOf(g);
  if (!h) return reasons;
  const options = optionsOf(h);
  for (const t of g.triggers) {
    if (t.marker.kind === 'dbfifo' && JSON.stringify(t.marker.header) !== JSON.stringify(h)) reasons.push(`${quoteIdent(t.name)} carries other options than its siblings of the same pipe`);
  }
  if (h.v !== GENERATOR_VERSION) reasons.push(`made by trigger generator version ${h.v}; this dbfifo generates version ${GENERATOR_VERSION}`);
  if (meta.primaryKey.length === 0) reasons.push(`the table has no primary key any more (the doorbell's id was ${list(h.key)})`);
  else if (JSON.stringify(meta.primaryKey) !== JSON.stringify(h.key)) reasons.push(`the primary key changed: the doorbell's id was ${list(h.key)}, the table's key is now ${list(meta.primaryKey)}`);
  for (const [flag, names] of [['--columns', h.columns], ['--fields', h.fields], ['--old-fields', h.oldFields]] as const) {
    for (const n of names) if (!column(meta, n)) reasons.push(`column ${quoteIdent(n)} (${flag}) no longer exists`);
  }
  const specific = reasons.length > 0;
  const problems = optionProblems(meta, options);
  if (!specific) reasons.push(...problems);
  for (const op of h.on) {
    const installed = g.triggers.filter((t) => t.event.toLowerCase() === op);
    const t = installed[0];
    if (!t) {
      reasons.push(`the ${op} trigger is missing`);
      continue;
    }
    if (t.timing !== 'AFTER') reasons.push(`${quoteIdent(t.name)} runs ${t.timing} ${op}, not AFTER`);
    if (problems.length === 0 && !specific && !sameSql(t.body, triggerBody(meta, options, op))) {
      reasons.push(`${quoteIdent(t.name)} differs from what add generates now (a column's type or nullability changed, or it was edited by hand)`);
    }
  }
  for (const t of g.triggers) {
    const op = t.event.toLowerCase();
    const dup = g.triggers.filter((x) => x.event === t.event).indexOf(t) > 0;
    if (!h.on.includes(op as TriggerEvent) || dup) reasons.push(`${quoteIdent(t.name)} rings on ${op}, which its options do not list (or list once)`);
  }
  return reasons;
}
