// The signature a receiver checks to know a request came from this worker
// (WEBHOOK_SECRET): X-Dbfifo-Signature: sha256=<hex HMAC-SHA256 of
// "<X-Dbfifo-Timestamp>.<body>">, the timestamp in Unix seconds. Signing the
// timestamp with the body lets a receiver refuse an old request replayed.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Dbfifo-Signature';
export const TIMESTAMP_HEADER = 'X-Dbfifo-Timestamp';

export function sign(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * A receiver's check (README.md, "For receivers"): the signature matches and
 * the timestamp is at most `toleranceSec` away from now.
 */
export function verifySignature(
  secret: string,
  o: { signature: string | undefined; timestamp: string | undefined; body: string },
  toleranceSec = 300,
  nowSec = Math.floor(Date.now() / 1000),
): boolean {
  const ts = Number(o.timestamp);
  if (!o.signature || !Number.isInteger(ts) || Math.abs(nowSec - ts) > toleranceSec) return false;
  const want = Buffer.from(sign(secret, ts, o.body));
  const got = Buffer.from(o.signature);
  return got.length === want.length && timingSafeEqual(got, want);
}
