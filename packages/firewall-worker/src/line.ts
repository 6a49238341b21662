// What a line on the firewall pipe may say. The generated triggers of
// sql/firewall/schema.sql send
//   {"table":"blacklist","op":"insert","id":7,"address":"…","expires_at":…,"removed_at":…}
// and on UPDATE also "old":{"address":"…"}: when that differs from "address",
// the row moved to another address and the old one lost its ban too. A bare
// address (the article's plain-line style) asks for that address to be synced.
// Either way the line is only a doorbell: the table decides.
import { InvalidMessageError, type Message } from '@dbfifo/fifo-core';

export interface BlacklistLine {
  /** The doorbell's op; 'sync' for a bare address. After merging: the newest. */
  op: 'insert' | 'update' | 'delete' | 'sync';
  /** Blacklist rows whose COMMIT to wait for: one from a doorbell, none from a bare address, several after merging. */
  ids: number[];
  /**
   * Addresses to make the kernel agree with the table about, as written (validated later, never
   * trusted here): the row's address first (the key), then the old address of a row that moved.
   * Empty for a doorbell with only an id: the row, once committed, names it.
   */
  addresses: string[];
}

const OPS = ['insert', 'update', 'delete'] as const;
/** Longest text a blacklist.address can hold (VARCHAR(64)). */
const ADDRESS_MAX = 64;

export function parseBlacklistLine(m: Message<unknown>): BlacklistLine {
  const j = m.json;
  if (j === undefined || j === null || typeof j !== 'object' || Array.isArray(j)) {
    const raw = m.raw.trim();
    if (raw === '' || raw.length > ADDRESS_MAX || raw.startsWith('{') || raw.startsWith('[')) throw new InvalidMessageError('expected a JSON doorbell or a bare address');
    return { op: 'sync', ids: [], addresses: [raw] };
  }
  const o = j as Record<string, unknown>;
  if (o.table !== undefined && o.table !== 'blacklist') throw new InvalidMessageError(`doorbell for table ${JSON.stringify(o.table)}, expected "blacklist"`);
  const op = o.op as (typeof OPS)[number];
  if (!OPS.includes(op)) throw new InvalidMessageError(`doorbell op must be one of ${OPS.join('|')}`);
  // A number, or a digit string (how a hand-written JSON_OBJECT in a routine may render it).
  const idNum = typeof o.id === 'string' && /^[1-9][0-9]{0,15}$/.test(o.id) ? Number(o.id) : o.id;
  const id = typeof idNum === 'number' && Number.isSafeInteger(idNum) && idNum > 0 ? idNum : undefined;
  const address = addressField(o.address, 'address');
  if (id === undefined && address === undefined) throw new InvalidMessageError('doorbell names neither an id nor an address');
  if (op === 'delete' && address === undefined) throw new InvalidMessageError('a delete doorbell needs the address (the row is gone)');
  const addresses = address === undefined ? [] : [address];
  const old = o.old;
  if (old !== undefined && (old === null || typeof old !== 'object' || Array.isArray(old))) throw new InvalidMessageError('"old" must be an object');
  const before = old === undefined ? undefined : addressField((old as Record<string, unknown>).address, 'old.address');
  // The row moved away from `before`: that address lost this ban.
  if (before !== undefined && before !== address) addresses.push(before);
  return { op, ids: id === undefined ? [] : [id], addresses };
}

function addressField(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length > ADDRESS_MAX) throw new InvalidMessageError(`"${name}" must be a string of at most ${ADDRESS_MAX} characters`);
  return v;
}

/** The key a line rings for: its address (doorbells of one address never run at once), else its row. */
export function blacklistKey(line: BlacklistLine): string {
  return line.addresses[0] ?? `id:${line.ids[0]}`;
}

/** Two pending lines of one key become one that waits for both rows and syncs every address either named. */
export function mergeBlacklistLines(older: BlacklistLine, newer: BlacklistLine): BlacklistLine {
  return {
    op: newer.op,
    ids: [...new Set([...newer.ids, ...older.ids])],
    addresses: [...new Set([...newer.addresses, ...older.addresses])],
  };
}
