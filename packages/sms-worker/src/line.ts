// What one line on the sms pipe means:
//   {"table":"sms_outbox","op":"insert","id":42}  → send outbox row 42
//   13113668891                                   → the article's form: text this number
//   (empty line)                                  → nothing (the article's concat(mobile,'\r\n')
//                                                   plus the UDF's own newline leaves one)
// Anything else is refused before the handler runs.
import { InvalidMessageError, type Message } from '@dbfifo/fifo-core';

export type SmsLine = { kind: 'row'; id: number } | { kind: 'mobile'; mobile: string } | { kind: 'blank' };

// Digits with the separators people write numbers with; at most 20 digits.
const MOBILE_LINE = /^\+?[\d\s\-().]{3,32}$/;

export function parseSmsLine(message: Pick<Message, 'raw' | 'json'>): SmsLine {
  const raw = message.raw.trim();
  if (raw === '') return { kind: 'blank' };
  if (message.json !== undefined && typeof message.json === 'object' && message.json !== null) {
    const j = message.json as Record<string, unknown>;
    if (j.table !== 'sms_outbox') throw new InvalidMessageError(`line names table ${JSON.stringify(j.table)}, expected "sms_outbox"`);
    const id = typeof j.id === 'string' && /^\d+$/.test(j.id) ? Number(j.id) : j.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
      throw new InvalidMessageError(`line has no valid row id: ${JSON.stringify(j.id)}`);
    }
    return { kind: 'row', id };
  }
  if (MOBILE_LINE.test(raw) && (raw.match(/\d/g)?.length ?? 0) <= 20) return { kind: 'mobile', mobile: raw };
  throw new InvalidMessageError(`neither an sms_outbox doorbell nor a phone number: ${JSON.stringify(raw.slice(0, 80))}`);
}
