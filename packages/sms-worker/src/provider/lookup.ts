// "Did this row already go out?" The Messages API has no idempotency key, so
// we ask the provider for recent messages to the row's number and look for one
// with the row's body, created after the claim (less a clock-skew margin), that
// no other row has recorded. Newest first, bounded scan.
//
// We do not filter on DateSent: a message the provider accepted but has not yet
// handed to a carrier has no date_sent and would be missed.
import type { SmsRows } from '../rows.ts';
import type { TwilioClient } from './twilio-client.ts';

/** How many recent messages to one number are scanned at most. */
export const LOOKUP_SCAN_LIMIT = 500;

export interface LookupTarget {
  id: number;
  to_e164: string;
  body: string;
  claimedAtMs: number;
}

/** The provider's part (one list request): sids of messages that could be this row's, oldest first. */
export async function recentMatches(client: TwilioClient, row: LookupTarget, windowMs: number): Promise<string[]> {
  // RFC 2822 dates have whole seconds: widen by one second so rounding cannot hide a match.
  const since = row.claimedAtMs - windowMs - 1000;
  const recent = await client.messages.list({ to: row.to_e164, limit: LOOKUP_SCAN_LIMIT, pageSize: 200 });
  return recent
    .filter((m) => m.body === row.body && m.dateCreated && m.dateCreated.getTime() >= since)
    .sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime())
    .map((m) => m.sid);
}

/** The database's part: the oldest of those no row has recorded yet. */
export async function firstUnrecorded(rows: SmsRows, sids: string[]): Promise<string | undefined> {
  if (sids.length === 0) return undefined;
  const taken = await rows.recordedSids(sids);
  return sids.find((sid) => !taken.has(sid));
}
