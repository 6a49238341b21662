// What a line on the static pipe means. The triggers in sql/static/schema.sql
// write {"table":"news","op":"insert|update|delete","id":N,"version":V,
// "slug":"…","old_slug":"…"|null}; anything else is refused before the handler.
import { InvalidMessageError, type Message } from '@dbfifo/fifo-core';

export interface NewsEvent {
  op: 'insert' | 'update' | 'delete';
  id: number;
  /** Row version after the edit (insert/update): the worker waits until it is committed. */
  version?: number;
  /** Slugs this edit may have left behind (delete: the row's slug; update: the old slug after a rename). */
  staleSlugs: string[];
}

const OPS = new Set(['insert', 'update', 'delete']);

export function parseNewsEvent(message: Pick<Message, 'raw' | 'json'>): NewsEvent {
  const j = message.json;
  if (typeof j !== 'object' || j === null || Array.isArray(j)) {
    throw new InvalidMessageError(`expected a JSON object like {"table":"news","op":"update","id":42}, got ${JSON.stringify(message.raw.slice(0, 120))}`);
  }
  const o = j as Record<string, unknown>;
  if (o.table !== 'news') throw new InvalidMessageError(`unknown table ${JSON.stringify(o.table)}: static-gen only handles "news"`);
  if (typeof o.op !== 'string' || !OPS.has(o.op)) throw new InvalidMessageError(`unknown op ${JSON.stringify(o.op)}: expected insert, update or delete`);
  if (typeof o.id !== 'number' || !Number.isSafeInteger(o.id) || o.id <= 0) throw new InvalidMessageError(`id must be a positive integer, got ${JSON.stringify(o.id)}`);
  if (o.version !== undefined && o.version !== null && (typeof o.version !== 'number' || !Number.isSafeInteger(o.version))) {
    throw new InvalidMessageError(`version must be an integer, got ${JSON.stringify(o.version)}`);
  }
  const op = o.op as NewsEvent['op'];
  const staleSlugs: string[] = [];
  if (op === 'delete' && typeof o.slug === 'string') staleSlugs.push(o.slug);
  if (typeof o.old_slug === 'string') staleSlugs.push(o.old_slug);
  const event: NewsEvent = { op, id: o.id, staleSlugs };
  if (typeof o.version === 'number') event.version = o.version;
  return event;
}
