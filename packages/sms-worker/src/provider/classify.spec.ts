import { describe, expect, it } from 'vitest';
import { classify } from './classify.ts';

describe('classify', () => {
  it('permanent: invalid To, unsubscribed, bad credentials, other 4xx', () => {
    expect(classify({ status: 400, code: 21211, message: 'bad To' }).kind).toBe('permanent');
    expect(classify({ status: 400, code: 21610, message: 'STOP' }).kind).toBe('permanent');
    expect(classify({ status: 401, code: 20003, message: 'Authenticate' })).toMatchObject({ kind: 'permanent', code: '20003' });
    expect(classify({ status: 403, code: 21408, message: 'region' }).kind).toBe('permanent');
  });

  it('retry: 429 / 20429 and connections refused before sending', () => {
    expect(classify({ status: 429, code: 20429, message: 'Too Many Requests' }).kind).toBe('retry');
    expect(classify({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }).kind).toBe('retry');
  });

  it('outage signs (what the circuit breaker counts): 5xx, timeouts, network errors; not 429s or refusals', () => {
    expect(classify({ status: 503, code: 20503, message: 'down' }).outage).toBe(true);
    expect(classify({ code: 'ECONNREFUSED', message: 'refused' }).outage).toBe(true);
    expect(classify({ code: 'ECONNABORTED', message: 'timeout' }).outage).toBe(true);
    expect(classify({ status: 429, code: 20429, message: 'Too Many Requests' }).outage).toBe(false);
    expect(classify({ status: 400, code: 21211, message: 'bad To' }).outage).toBe(false);
  });

  it('unknown (ask the provider before resending): 5xx, timeouts, cut connections', () => {
    expect(classify({ status: 500, code: 20500, message: 'oops' }).kind).toBe('unknown');
    expect(classify({ status: 503, message: 'unavailable' }).kind).toBe('unknown');
    expect(classify({ code: 'ECONNRESET', message: 'socket hang up' }).kind).toBe('unknown');
    expect(classify({ code: 'ECONNABORTED', message: 'timeout of 1000ms exceeded' }).kind).toBe('unknown');
  });
});
