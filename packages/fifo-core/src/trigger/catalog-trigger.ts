// A trigger as information_schema.TRIGGERS shows it, with dbfifo's marker read.
import { readMarker, type MarkerRead } from './marker.ts';

export interface CatalogTrigger {
  schema: string;
  table: string;
  name: string;
  /** INSERT | UPDATE | DELETE */
  event: string;
  /** BEFORE | AFTER */
  timing: string;
  /** ACTION_ORDER: position among the table's triggers of the same timing and event. */
  order: number;
  body: string;
  marker: MarkerRead;
}

export function catalogTrigger(row: Omit<CatalogTrigger, 'marker'>): CatalogTrigger {
  return { ...row, marker: readMarker(row.body) };
}

export const isDbfifo = (t: CatalogTrigger) => t.marker.kind !== 'none';

/** The pipe a dbfifo trigger rings, or undefined when its marker cannot be read. */
export const pipeOf = (t: CatalogTrigger) => (t.marker.kind === 'dbfifo' ? t.marker.header.pipe : undefined);

/** Trigger names are compared without case: depending on the file system and lower_case_table_names the server may treat them as one. */
export const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
