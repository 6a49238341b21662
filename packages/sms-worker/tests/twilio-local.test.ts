// The local API as the real twilio SDK sees it (through RebasedRequestClient).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTwilioLocal, type TwilioLocal } from '@dbfifo/twilio-local';
import { createTwilioClient, type TwilioClient } from '../src/provider/twilio-client.ts';

const SID = 'AC' + 'a1'.repeat(16);
const TOKEN = 'secret-token';
let api: TwilioLocal;
let client: TwilioClient;

beforeAll(async () => {
  api = await startTwilioLocal({ accountSid: SID, authToken: TOKEN, port: 0 });
  client = createTwilioClient({ accountSid: SID, authToken: TOKEN, apiBaseUrl: api.url, timeoutMs: 2000, from: '+15005550006', messagingServiceSid: undefined });
});
afterAll(() => api.close());
beforeEach(() => api.reset());

describe('twilio-local through the twilio SDK', () => {
  it('creates, fetches and lists messages', async () => {
    const m = await client.messages.create({ to: '+8613113668891', from: '+15005550006', body: 'hello' });
    expect(m.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(m.status).toBe('queued');
    const fetched = await client.messages(m.sid).fetch();
    expect(fetched).toMatchObject({ sid: m.sid, to: '+8613113668891', body: 'hello', status: 'sent' });
    expect(api.messages()).toHaveLength(1);
  });

  it('lists newest first, filtered by To, across pages', async () => {
    for (let i = 0; i < 7; i++) await client.messages.create({ to: '+8613113668891', from: '+15005550006', body: `n${i}` });
    await client.messages.create({ to: '+8613113668892', from: '+15005550006', body: 'other' });
    const listed = await client.messages.list({ to: '+8613113668891', pageSize: 3 });
    expect(listed.map((m) => m.body)).toEqual(['n6', 'n5', 'n4', 'n3', 'n2', 'n1', 'n0']);
    const pathsWithToken = api.requests().filter((r) => r.method === 'GET').length;
    expect(pathsWithToken).toBe(3); // 3 + 3 + 1
    const after = await client.messages.list({ to: '+8613113668891', dateSentAfter: new Date(Date.now() + 60_000) });
    expect(after).toHaveLength(0);
  });

  it('answers bad credentials with 401 / 20003', async () => {
    const bad = createTwilioClient({ accountSid: SID, authToken: 'wrong', apiBaseUrl: api.url, timeoutMs: 2000, from: '+15005550006', messagingServiceSid: undefined });
    await expect(bad.messages.create({ to: '+8613113668891', from: '+15005550006', body: 'x' })).rejects.toMatchObject({ status: 401, code: 20003 });
    expect(api.messages()).toHaveLength(0);
  });

  it('answers an invalid To with 400 / 21211 and an unsubscribed one with 21610', async () => {
    await expect(client.messages.create({ to: '12345', from: '+15005550006', body: 'x' })).rejects.toMatchObject({ status: 400, code: 21211, moreInfo: 'https://www.twilio.com/docs/errors/21211' });
    api.configure({ unsubscribed: ['+8613113668893'] });
    await expect(client.messages.create({ to: '+8613113668893', from: '+15005550006', body: 'x' })).rejects.toMatchObject({ status: 400, code: 21610 });
  });

  it('injects 429s and 500s in the configured share', async () => {
    api.configure({ rate429: 1 });
    await expect(client.messages.create({ to: '+8613113668891', from: '+15005550006', body: 'x' })).rejects.toMatchObject({ status: 429, code: 20429 });
    api.configure({ rate429: 0, rate500: 1 });
    await expect(client.messages.create({ to: '+8613113668891', from: '+15005550006', body: 'x' })).rejects.toMatchObject({ status: 500 });
    api.configure({ rate500: 0, errors: [{ code: 30007, status: 400, share: 1 }] });
    await expect(client.messages.create({ to: '+8613113668891', from: '+15005550006', body: 'x' })).rejects.toMatchObject({ code: 30007 });
    expect(api.messages()).toHaveLength(0);
  });

  it('can create a message and cut the connection before answering', async () => {
    api.configure({ dropAfterCreate: 1 });
    await expect(client.messages.create({ to: '+8613113668891', from: '+15005550006', body: 'ambiguous' })).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(api.messages().map((m) => m.body)).toEqual(['ambiguous']);
  });

  it('fails every request while failAll is set (an outage), and answers again once it is cleared', async () => {
    api.configure({ failAll: { status: 503, code: 20503 } });
    await expect(client.messages.create({ to: '+8613113668891', from: '+15005550006', body: 'x' })).rejects.toMatchObject({ status: 503, code: 20503 });
    await expect(client.messages.list({ to: '+8613113668891' })).rejects.toMatchObject({ status: 503 });
    await expect(client.messages('SM00000000000000000000000000000000').fetch()).rejects.toMatchObject({ status: 503 });
    expect(api.messages()).toHaveLength(0);
    api.configure({ failAll: null });
    await client.messages.create({ to: '+8613113668891', from: '+15005550006', body: 'after' });
    expect(api.messages().map((m) => m.body)).toEqual(['after']);
    expect(() => api.configure({ failAll: 'yes' as never })).toThrow(/failAll must be null or an object/);
  });

  it('is configured and inspected over HTTP too', async () => {
    const res = await fetch(`${api.url}/_local/config`, { method: 'POST', body: JSON.stringify({ latencyMs: 30 }) });
    expect(await res.json()).toMatchObject({ latencyMs: 30 });
    const t0 = performance.now();
    await client.messages.create({ to: '+8613113668891', from: '+15005550006', body: 'slow' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(29);
    const listed = (await (await fetch(`${api.url}/_local/messages`)).json()) as { messages: { body: string }[] };
    expect(listed.messages.map((m) => m.body)).toEqual(['slow']);
    expect((await fetch(`${api.url}/_local/config`, { method: 'POST', body: '{"nope":1}' })).status).toBe(400);
  });
});
