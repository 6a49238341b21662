// What a line on the static pipe means. The generated triggers in
// sql/static/schema.sql write compact JSON:
//   {"table":"news","op":"insert","id":42,"version":1,"slug":"a"}
//   {"table":"news","op":"update","id":42,"version":2,"slug":"b","old":{"slug":"a"}}
//   {"table":"news","op":"delete","id":42,"version":2,"slug":"b"}
// Anything else is refused before a render (NotANewsLineError).
import type { Message } from '@dbfifo/fifo-core';
import { NotANewsLineError } from './errors.ts';

export interface NewsLine {
  op: 'insert' | 'update' | 'delete';
  id: number;
  /** The row's version after the edit (insert/update): the worker waits until it is committed. */
  version?: number;
  /** Slugs whose pages this edit may have left behind (delete: the row's slug; update: the old slug after a rename). */
  staleSlugs: string[];
}

const OPS = new Set(['insert', 'update', 'delete']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseNewsLine(message: Pick<Message, 'raw' | 'json'>): NewsLine {
  const o = message.json;
  if (!isObject(o)) throw new NotANewsLineError(`expected a JSON object like {"table":"news","op":"update","id":42}, got ${JSON.stringify(message.raw.slice(0, 120))}`);
  if (o.table !== 'news') throw new NotANewsLineError(`unknown table ${JSON.stringify(o.table)}: static-gen only handles "news"`);
  if (typeof o.op !== 'string' || !OPS.has(o.op)) throw new NotANewsLineError(`unknown op ${JSON.stringify(o.op)}: expected insert, update or delete`);
  if (typeof o.id !== 'number' || !Number.isSafeInteger(o.id) || o.id <= 0) throw new NotANewsLineError(`id must be a positive integer, got ${JSON.stringify(o.id)}`);
  if (o.version !== undefined && o.version !== null && (typeof o.version !== 'number' || !Number.isSafeInteger(o.version))) {
    throw new NotANewsLineError(`version must be an integer, got ${JSON.stringify(o.version)}`);
  }
  if (o.old !== undefined && !isObject(o.old)) throw new NotANewsLineError(`old must be an object like {"slug":"x"}, got ${JSON.stringify(o.old)}`);
  const op = o.op as NewsLine['op'];
  const staleSlugs: string[] = [];
  if (op === 'delete' && typeof o.slug === 'string') staleSlugs.push(o.slug);
  const oldSlug = isObject(o.old) ? o.old.slug : undefined;
  if (op === 'update' && typeof oldSlug === 'string' && oldSlug !== o.slug) staleSlugs.push(oldSlug);
  const line: NewsLine = { op, id: o.id, staleSlugs };
  if (typeof o.version === 'number') line.version = o.version;
  return line;
}

/** The key a doorbell rings for: the article. */
export const newsKey = (line: NewsLine): string => `news:${line.id}`;

/**
 * Two pending doorbells of one article as one: the newer op, every slug
 * either may have left behind, and the highest version to wait for — unless
 * the newer one starts the row again (an insert after a delete of the same
 * id), whose versions count from 1.
 */
export function mergeNewsLines(older: NewsLine, newer: NewsLine): NewsLine {
  const restarted = newer.op === 'insert' || older.op === 'delete';
  const versions = [newer.version, restarted ? undefined : older.version].filter((v): v is number => v !== undefined);
  const merged: NewsLine = { op: newer.op, id: newer.id, staleSlugs: [...new Set([...older.staleSlugs, ...newer.staleSlugs])] };
  if (versions.length > 0) merged.version = Math.max(...versions);
  return merged;
}
