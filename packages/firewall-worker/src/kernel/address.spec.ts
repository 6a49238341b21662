import { describe, expect, it } from 'vitest';
import { normaliseAddress } from './address.ts';
import { Allowlist } from './allowlist.ts';
import { RefusedAddressError } from '../errors.ts';

const text = (s: string, allowCidr = false) => normaliseAddress(s, { allowCidr }).text;

describe('normaliseAddress', () => {
  it('keeps plain IPv4 and IPv6 in canonical form', () => {
    expect(text('192.0.2.7')).toBe('192.0.2.7');
    expect(text('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(text('2001:db8:0000:0001:0:0:0:1')).toBe('2001:db8:0:1::1');
    expect(text('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(text('fe80::')).toBe('fe80::');
    expect(text('2001:db8:1:1:1:1:1:1')).toBe('2001:db8:1:1:1:1:1:1');
    // RFC 5952: a single zero group is not compressed, the first longest run is.
    expect(text('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(text('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1');
  });

  it('folds IPv4-mapped IPv6 to IPv4', () => {
    const a = normaliseAddress('::FFFF:198.51.100.4');
    expect(a).toMatchObject({ family: 4, text: '198.51.100.4', prefix: 32 });
    expect(text('::ffff:c633:6404')).toBe('198.51.100.4');
    expect(text('::ffff:10.0.0.0/104', true)).toBe('10.0.0.0/8');
  });

  it('accepts CIDR only when allowed, and masks host bits', () => {
    expect(() => text('10.0.0.0/8')).toThrow(/CIDR networks are not allowed/);
    expect(text('10.1.2.3/8', true)).toBe('10.0.0.0/8');
    expect(text('2001:db8::1/32', true)).toBe('2001:db8::/32');
    expect(text('192.0.2.7/32', true)).toBe('192.0.2.7');
    expect(() => text('10.0.0.0/0', true)).toThrow(/prefix length between 1 and 32/);
    expect(() => text('10.0.0.0/33', true)).toThrow(/prefix length/);
    expect(() => text('10.0.0.0/08', true)).toThrow(/malformed prefix/);
  });

  it.each([
    '-j ACCEPT', '1.2.3.4; rm -rf /', '--flush', '1.2.3.4 ', ' 1.2.3.4', '1.2.3', '01.2.3.4', '256.1.1.1',
    'fe80::1%eth0', '1.2.3.4/24 -j ACCEPT', '', 'localhost', '1.2.3.4\n-F', ':::', '1::2::3', 'x'.repeat(500),
  ])('refuses %j with a clear error', (bad) => {
    expect(() => normaliseAddress(bad, { allowCidr: true })).toThrow(RefusedAddressError);
    expect(() => normaliseAddress(bad, { allowCidr: true })).toThrow(/^refused address .*: /);
  });

  it('refuses non-strings', () => {
    for (const bad of [null, undefined, 12, {}, ['1.2.3.4']]) expect(() => normaliseAddress(bad)).toThrow(/not an IPv4\/IPv6 address/);
  });
});

describe('Allowlist', () => {
  const allow = new Allowlist(['10.20.0.0/16', '2001:db8:aaaa::/48', '203.0.113.9']);
  const check = (s: string) => () => allow.check(normaliseAddress(s, { allowCidr: true }));

  it('always protects loopback, IPv4-mapped loopback included', () => {
    expect(check('127.0.0.1')).toThrow(/allowlisted \(127\.0\.0\.0\/8\)/);
    expect(check('::1')).toThrow(/allowlisted/);
    expect(check('::ffff:127.0.0.2')).toThrow(/allowlisted/);
    expect(() => new Allowlist().check(normaliseAddress('127.9.9.9'))).toThrow(/allowlisted/);
  });

  it('protects configured networks and named hosts, and networks overlapping them', () => {
    expect(check('10.20.3.4')).toThrow(/10\.20\.0\.0\/16/);
    expect(check('203.0.113.9')).toThrow(/allowlisted/);
    expect(check('2001:db8:aaaa:1::5')).toThrow(/allowlisted/);
    expect(check('10.0.0.0/8')).toThrow(/allowlisted/);
    expect(check('203.0.113.0/24')).toThrow(/allowlisted/);
  });

  it('lets everything else through', () => {
    expect(check('10.21.0.1')).not.toThrow();
    expect(check('203.0.113.10')).not.toThrow();
    expect(check('2001:db8:aaab::1')).not.toThrow();
    expect(check('11.0.0.0/8')).not.toThrow();
  });

  it('rejects an invalid allowlist entry at start', () => {
    expect(() => new Allowlist(['10.0.0.0/8', 'not-an-ip'])).toThrow(/refused address "not-an-ip"/);
  });
});
