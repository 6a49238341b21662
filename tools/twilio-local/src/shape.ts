// Twilio-shaped JSON bodies: message resources, pages and errors, as
// api.twilio.com answers them (snake_case, RFC 2822 dates, string counts).
import type { StoredMessage } from './store.ts';

export const API_VERSION = '2010-04-01';

export function rfc2822(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

export function messageJson(m: StoredMessage, justCreated: boolean): Record<string, unknown> {
  const base = `/${API_VERSION}/Accounts/${m.accountSid}/Messages/${m.sid}`;
  return {
    account_sid: m.accountSid,
    api_version: API_VERSION,
    body: m.body,
    date_created: rfc2822(m.createdAt),
    // A create answers "queued"; afterwards the local API reports the text as sent.
    date_sent: justCreated ? null : rfc2822(m.createdAt),
    date_updated: rfc2822(m.createdAt),
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: m.from,
    messaging_service_sid: m.messagingServiceSid,
    num_media: '0',
    num_segments: String(Math.max(1, Math.ceil(m.body.length / 160))),
    price: null,
    price_unit: 'USD',
    sid: m.sid,
    status: justCreated ? 'queued' : 'sent',
    subresource_uris: { media: `${base}/Media.json` },
    to: m.to,
    uri: `${base}.json`,
  };
}

export function errorJson(status: number, code: number, message: string): Record<string, unknown> {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}
