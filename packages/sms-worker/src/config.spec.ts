import { ConfigError } from '@dbfifo/fifo-core';
import { describe, expect, it } from 'vitest';
import { loadSmsConfig, rateKey, rateScope } from './config.ts';

const good = {
  DATABASE_URL: 'mysql://u:p@127.0.0.1:3306/db',
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  TWILIO_AUTH_TOKEN: 't',
  TWILIO_FROM: '+15005550006',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadSmsConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('loadSmsConfig', () => {
  it('documents its defaults: CN numbers, 1 message per second, lookup recovery', () => {
    const c = loadSmsConfig(good);
    expect(c.sms).toMatchObject({ defaultRegion: 'CN', ratePerSec: 1, recovery: 'lookup', rowWaitMs: 2000 });
    expect(c.runtime.pipe.endsWith('/sms')).toBe(true);
    expect(c.twilio.apiBaseUrl).toBeUndefined();
  });

  it('lists every problem at once, naming the variables', () => {
    const p = problems({ SMS_RATE_PER_SEC: 'fast', SMS_DEFAULT_REGION: 'China' });
    expect(p.join('\n')).toMatch(/DATABASE_URL is required/);
    expect(p.join('\n')).toMatch(/TWILIO_ACCOUNT_SID is required/);
    expect(p.join('\n')).toMatch(/TWILIO_AUTH_TOKEN is required/);
    expect(p.join('\n')).toMatch(/SMS_RATE_PER_SEC="fast"/);
  });

  it('needs a sender and a well-formed API base', () => {
    const { TWILIO_FROM: _, ...noFrom } = good;
    expect(problems(noFrom)).toEqual(['TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required (the sender)']);
    expect(problems({ ...noFrom, TWILIO_MESSAGING_SERVICE_SID: 'MG123' })).toEqual([]);
    expect(problems({ ...good, TWILIO_API_BASE_URL: 'localhost:8089' })[0]).toMatch(/TWILIO_API_BASE_URL/);
  });

  it('refuses a stuck threshold a slow but live send could cross', () => {
    expect(problems({ ...good, SMS_STUCK_AFTER_MS: '20000' })[0]).toMatch(/SMS_STUCK_AFTER_MS=20000 must exceed/);
  });

  it('shares the send rate through Redis in queue mode unless told otherwise, keyed by the sender', () => {
    expect(rateScope(loadSmsConfig(good))).toBe('process');
    const queued = loadSmsConfig({ ...good, DBFIFO_MODE: 'queue' });
    expect(rateScope(queued)).toBe('redis');
    expect(rateKey(queued)).toBe('dbfifo:sms:rate:+15005550006');
    expect(rateScope(loadSmsConfig({ ...good, DBFIFO_MODE: 'queue', SMS_RATE_SCOPE: 'process' }))).toBe('process');
    expect(rateScope(loadSmsConfig({ ...good, SMS_RATE_SCOPE: 'redis' }))).toBe('redis');
    expect(rateKey(loadSmsConfig({ ...good, TWILIO_MESSAGING_SERVICE_SID: 'MG1' }))).toBe('dbfifo:sms:rate:MG1');
    expect(problems({ ...good, SMS_RATE_SCOPE: 'global' })[0]).toMatch(/SMS_RATE_SCOPE/);
  });
});
