// In-memory Messages resource: what the local API "sent", in creation order,
// listed newest first with the filters and paging the twilio SDK uses.
import { randomBytes } from 'node:crypto';

export interface StoredMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
  createdAt: Date;
  /** Insertion index: stable order and page tokens even when timestamps tie. */
  seq: number;
}

export interface ListFilter {
  to?: string;
  from?: string;
  /** Inclusive bounds on date_sent (the local API sends at once: date_sent = created). */
  sentAfter?: Date;
  sentBefore?: Date;
  /** `DateSent=YYYY-MM-DD`: that UTC day. */
  sentOn?: string;
}

export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

export class MessageStore {
  #messages: StoredMessage[] = [];

  add(m: Omit<StoredMessage, 'sid' | 'seq' | 'createdAt'>): StoredMessage {
    const stored: StoredMessage = { ...m, sid: newSid('SM'), seq: this.#messages.length, createdAt: new Date() };
    this.#messages.push(stored);
    return stored;
  }

  get(sid: string): StoredMessage | undefined {
    return this.#messages.find((m) => m.sid === sid);
  }

  all(): readonly StoredMessage[] {
    return this.#messages;
  }

  clear(): void {
    this.#messages = [];
  }

  /** Newest first; `beforeSeq` is the page token: only messages older than it. */
  page(filter: ListFilter, pageSize: number, beforeSeq?: number): { items: StoredMessage[]; more: boolean } {
    const items: StoredMessage[] = [];
    for (let i = Math.min(beforeSeq ?? Infinity, this.#messages.length) - 1; i >= 0; i--) {
      const m = this.#messages[i]!;
      if (!matches(m, filter)) continue;
      if (items.length === pageSize) return { items, more: true };
      items.push(m);
    }
    return { items, more: false };
  }
}

function matches(m: StoredMessage, f: ListFilter): boolean {
  if (f.to !== undefined && m.to !== f.to) return false;
  if (f.from !== undefined && m.from !== f.from) return false;
  // Twilio's date filters have second resolution (RFC 2822 dates): compare on whole seconds.
  const sent = Math.floor(m.createdAt.getTime() / 1000);
  if (f.sentAfter && sent < Math.floor(f.sentAfter.getTime() / 1000)) return false;
  if (f.sentBefore && sent > Math.floor(f.sentBefore.getTime() / 1000)) return false;
  if (f.sentOn && m.createdAt.toISOString().slice(0, 10) !== f.sentOn) return false;
  return true;
}
