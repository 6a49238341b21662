// What a failed request means for the row. Three answers:
//  - permanent: the provider refused it (invalid To, unsubscribed, bad
//    credentials …); retrying cannot help → row failed, no retry.
//  - retry: certainly not sent (429 / 20429, connection refused) → try again.
//  - unknown: the request may have been accepted (5xx, timeout, connection cut
//    after sending) → ask the provider before trying again, never resend blind.
//
// `outage` says whether the answer is a sign the provider is down (5xx,
// timeouts, network errors): what the circuit breaker counts. A 429 is a
// healthy provider asking us to slow down, a 4xx a refusal: neither counts.
export interface Verdict {
  kind: 'permanent' | 'retry' | 'unknown';
  code: string;
  message: string;
  outage: boolean;
}

/** Twilio codes that mean "do not retry", beyond any other 4xx; their explanation is added to last_error. */
export const TWILIO_PERMANENT_CODES: Record<number, string> = {
  20003: 'authentication failed (TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN)',
  21211: "invalid 'To' number",
  21408: 'permission to send to this region not enabled',
  21602: 'message body required',
  21603: "'From' or 'MessagingServiceSid' required",
  21606: "'From' number cannot send SMS",
  21610: 'recipient unsubscribed (replied STOP)',
  21612: "'To' number not reachable from this sender",
  21614: "'To' number is not a mobile number",
};

// Connection errors raised before the request could have reached the server.
const NOT_SENT_NET = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

interface RestLike {
  status?: number;
  code?: number | string;
  message?: string;
}

export function classify(err: unknown): Verdict {
  const e = (err ?? {}) as RestLike;
  const message = e.message ?? String(err);
  // twilio's RestException: numeric HTTP status + numeric Twilio code.
  if (typeof e.status === 'number') {
    const code = typeof e.code === 'number' ? e.code : undefined;
    const label = code !== undefined ? String(code) : `HTTP${e.status}`;
    if (e.status === 429 || code === 20429) return { kind: 'retry', code: label, message, outage: false };
    if (e.status >= 500 || e.status === 408) return { kind: 'unknown', code: label, message, outage: true };
    const known = code !== undefined ? TWILIO_PERMANENT_CODES[code] : undefined;
    return { kind: 'permanent', code: label, message: known ? `${message} (${known})` : message, outage: false };
  }
  // axios / node network errors carry a string code.
  const netCode = typeof e.code === 'string' ? e.code : 'NETWORK';
  return { kind: NOT_SENT_NET.has(netCode) ? 'retry' : 'unknown', code: netCode, message, outage: true };
}
