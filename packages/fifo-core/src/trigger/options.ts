// What `dbfifo trigger add` is asked to build, and the record of it each trigger
// carries (the marker, see marker.ts) so list/check/remove can read it back.

export const TRIGGER_EVENTS = ['insert', 'update', 'delete'] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

/**
 * Bumped whenever the generated SQL changes for the same options and table:
 * `check` then reports the installed triggers as made by an older generator.
 */
export const GENERATOR_VERSION = 1;

export interface TriggerOptions {
  /** Bare pipe name inside fifo.so's DBFIFO_PIPE_DIR. */
  pipe: string;
  /** Events that ring, in insert, update, delete order. */
  on: TriggerEvent[];
  /** UPDATE rings only when one of these (or the primary key) really changed; empty = every UPDATE. */
  columns: string[];
  /** Extra SQL condition on NEW/OLD, trusted input from the operator; null = none. */
  when: string | null;
  /** Columns whose values the doorbell carries (NEW on insert/update, OLD on delete). */
  fields: string[];
  /** Columns whose OLD values an UPDATE's doorbell carries as "old":{…}. */
  oldFields: string[];
}

/** `dbfifo trigger add <table> --pipe <pipe> --on insert`: a doorbell per inserted row, nothing else. */
export function insertDoorbell(pipe: string): TriggerOptions {
  return { pipe, on: ['insert'], columns: [], when: null, fields: [], oldFields: [] };
}

/** The options plus what the trigger was generated against. */
export interface TriggerHeader extends TriggerOptions {
  /** GENERATOR_VERSION at the time. */
  v: number;
  /** The primary key columns the doorbell's id was built from. */
  key: string[];
}

/** Events in their canonical order, without duplicates. */
export function canonicalEvents(events: Iterable<TriggerEvent>): TriggerEvent[] {
  const set = new Set(events);
  return TRIGGER_EVENTS.filter((e) => set.has(e));
}
