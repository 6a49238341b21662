// From a line to the Message a handler sees, and the parse step that refuses
// invalid lines before any handler runs.
import { InvalidMessageError, type Helpers, type Message, type WorkerDefinition } from './contract.ts';

/** JSON.parse when the line looks like JSON; undefined for plain text (the article's bare numbers stay strings). */
export function parseJsonLine(raw: string): unknown {
  const c = raw.charCodeAt(0);
  // '{' '[' '"' — objects, arrays, strings; numbers and words stay plain text on purpose.
  if (c !== 0x7b && c !== 0x5b && c !== 0x22) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

export function buildMessage(raw: string, o: { id: string; pipe: string; receivedAt: Date; attempt?: number }): Message<unknown> {
  const json = parseJsonLine(raw);
  return { raw, json, body: json ?? raw, receivedAt: o.receivedAt, id: o.id, pipe: o.pipe, attempt: o.attempt ?? 1, merged: 1 };
}

/**
 * Run the worker's parse() (if any). Any error thrown there refuses the line:
 * it is rethrown as InvalidMessageError so the caller dead-letters it.
 */
export function prepareMessage<C, T>(def: WorkerDefinition<C, T>, m: Message<unknown>, helpers: Helpers<C>): Message<T> {
  if (!def.parse) return m as Message<T>;
  try {
    return { ...m, body: def.parse(m, helpers) };
  } catch (e) {
    if (e instanceof InvalidMessageError) throw e;
    throw new InvalidMessageError(`parse failed: ${(e as Error)?.message ?? String(e)}`, 'PARSE_FAILED', { cause: e });
  }
}

/** For parse(): the line must be a JSON object, else it is refused as NOT_JSON. */
export function requireJsonObject(m: Message<unknown>): Record<string, unknown> {
  if (m.json === null || typeof m.json !== 'object' || Array.isArray(m.json)) {
    throw new InvalidMessageError('line is not a JSON object', 'NOT_JSON');
  }
  return m.json as Record<string, unknown>;
}
