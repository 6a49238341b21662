// The receiver's side of webhook-worker's signature, written from its README
// ("For receivers") and not from the worker's code, so that a test against it
// also checks what the README tells receivers to do.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signatureValid(secret: string, signature: string | undefined, timestamp: string | undefined, body: string, toleranceSec = 300): boolean {
  const ts = Number(timestamp);
  if (!signature?.startsWith('sha256=') || !Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > toleranceSec) return false;
  const want = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest();
  const got = Buffer.from(signature.slice('sha256='.length), 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}
