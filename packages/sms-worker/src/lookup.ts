// "Did this row already go out?" The Messages API has no idempotency key, so
// we ask the provider for recent messages to the row's number and look for one
// with the row's body, created after the claim (less a clock-skew margin), that
// no other row has recorded. Newest first, bounded scan.
//
// We do not filter on DateSent: a message the provider accepted but has not yet
// handed to a carrier has no date_sent and would be missed.
import type { TwilioClient } from './twilio-client.ts';
import type { Outbox } from './outbox.ts';

/** How many recent messages to one number are scanned at most. */
export const LOOKUP_SCAN_LIMIT = 500;

export interface LookupRow {
  id: number;
  to_e164: string;
  body: string;
  claimedAtMs: number;
}

export async function findSentMessage(client: TwilioClient, outbox: Outbox, row: LookupRow, windowMs: number): Promise<string | undefined> {
  // RFC 2822 dates have whole seconds: widen by one second so rounding cannot hide a match.
  const since = row.claimedAtMs - windowMs - 1000;
  const recent = await client.messages.list({ to: row.to_e164, limit: LOOKUP_SCAN_LIMIT, pageSize: 200 });
  const candidates = recent
    .filter((m) => m.body === row.body && m.dateCreated && m.dateCreated.getTime() >= since)
    .sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime());
  if (candidates.length === 0) return undefined;
  const taken = await outbox.recordedSids(candidates.map((m) => m.sid));
  return candidates.find((m) => !taken.has(m.sid))?.sid;
}
