import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { wireRequest } from './request.ts';
import { sign, verifySignature } from './signature.ts';

describe('request signature', () => {
  const change = { table: 'orders', op: 'insert' as const, key: { id: 1 }, row: { id: 1 }, version: 'abc' };

  it('is HMAC-SHA256 over "<timestamp>.<body>", as README.md tells receivers', () => {
    const req = wireRequest(change, { idempotencyKey: 'k', secret: 's', nowSec: 1700000000 });
    const mac = createHmac('sha256', 's').update(`1700000000.${req.body}`).digest('hex');
    expect(req.headers['X-Dbfifo-Signature']).toBe(`sha256=${mac}`);
    expect(req.headers['X-Dbfifo-Timestamp']).toBe('1700000000');
    expect(wireRequest(change, { idempotencyKey: 'k' }).headers['X-Dbfifo-Signature']).toBeUndefined();
  });

  it('verifies only the right secret, body and a recent timestamp', () => {
    const body = JSON.stringify(change);
    const signature = sign('s', 1700000000, body);
    expect(verifySignature('s', { signature, timestamp: '1700000000', body }, 300, 1700000100)).toBe(true);
    expect(verifySignature('other', { signature, timestamp: '1700000000', body }, 300, 1700000100)).toBe(false);
    expect(verifySignature('s', { signature, timestamp: '1700000000', body: `${body} ` }, 300, 1700000100)).toBe(false);
    expect(verifySignature('s', { signature, timestamp: '1700000000', body }, 300, 1700000400)).toBe(false);
    expect(verifySignature('s', { signature: undefined, timestamp: '1700000000', body })).toBe(false);
  });
});
