import { describe, expect, it } from 'vitest';
import { normalisePhone } from './phone.ts';

describe('normalisePhone', () => {
  it("reads the article's numbers as mainland-China mobiles", () => {
    expect(normalisePhone('13113668891', 'CN')).toEqual({ ok: true, e164: '+8613113668891' });
    expect(normalisePhone(' +86 133-2299-3040 ', 'CN')).toEqual({ ok: true, e164: '+8613322993040' });
  });

  it('keeps an explicit country code whatever the default region', () => {
    expect(normalisePhone('+1 415 555 2671', 'CN')).toEqual({ ok: true, e164: '+14155552671' });
  });

  it('uses the configured default region', () => {
    expect(normalisePhone('(415) 555-2671', 'US')).toEqual({ ok: true, e164: '+14155552671' });
  });

  it('refuses what is not a valid number, with a reason', () => {
    for (const bad of ['', '12345', 'call me', '+86 131 1366']) {
      const r = normalisePhone(bad, 'CN');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/^invalid number/);
    }
  });
});
