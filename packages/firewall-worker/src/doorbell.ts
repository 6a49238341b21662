// What a line on the firewall pipe may say. The triggers send
// {"table":"blacklist","op":"insert|update|delete","id":N,"address":"…"};
// a bare address (the article's plain-line style) asks for that address to
// be synced. Either way the line is only a doorbell: the table decides.
import { InvalidMessageError, type Message } from '@dbfifo/fifo-core';

export interface Doorbell {
  /** 'moved': the row now names another address; `address` is the old one. */
  op: 'insert' | 'update' | 'delete' | 'moved' | 'sync';
  /** Blacklist row id (absent for a bare-address line). */
  id?: number;
  /** Address as written in the row; validated later, never trusted here. */
  address?: string;
  /** insert/update: the row's new state, to wait for before acting (the trigger rang before COMMIT). */
  state?: { active: boolean; expiresAt: string | null };
}

const OPS = ['insert', 'update', 'delete', 'moved'] as const;

export function parseDoorbell(m: Message<unknown>): Doorbell {
  const j = m.json as Record<string, unknown> | undefined;
  if (j === undefined || j === null || typeof j !== 'object') {
    const raw = m.raw.trim();
    if (raw === '' || raw.length > 64) throw new InvalidMessageError('expected a JSON doorbell or a bare address');
    return { op: 'sync', address: raw };
  }
  if (j.table !== undefined && j.table !== 'blacklist') throw new InvalidMessageError(`doorbell for table ${JSON.stringify(j.table)}, expected "blacklist"`);
  const op = j.op as (typeof OPS)[number];
  if (!OPS.includes(op)) throw new InvalidMessageError(`doorbell op must be one of ${OPS.join('|')}`);
  // A number, or a digit string (how MariaDB renders some routine values in JSON_OBJECT).
  const idNum = typeof j.id === 'string' && /^[1-9][0-9]{0,15}$/.test(j.id) ? Number(j.id) : j.id;
  const id = typeof idNum === 'number' && Number.isSafeInteger(idNum) && idNum > 0 ? idNum : undefined;
  const address = typeof j.address === 'string' ? j.address : undefined;
  if (id === undefined && address === undefined) throw new InvalidMessageError('doorbell names neither an id nor an address');
  if ((op === 'delete' || op === 'moved') && address === undefined) throw new InvalidMessageError(`a ${op} doorbell needs the address`);
  const state =
    (j.active === 0 || j.active === 1 || typeof j.active === 'boolean') && (j.expires_at === null || typeof j.expires_at === 'string')
      ? { active: Boolean(j.active), expiresAt: j.expires_at as string | null }
      : undefined;
  return { op, id, address, state };
}
