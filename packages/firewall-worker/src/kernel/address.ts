// Validation and normalisation of everything that may become a kernel
// argument. Nothing reaches ipset/iptables unless it went through here, so a
// row holding `-j ACCEPT`, `1.2.3.4; rm -rf /` or `--flush` is refused with a
// clear error instead of becoming an option. Canonical forms matter too: the
// same host written two ways must map to one set entry / one rule.
import { isIP } from 'node:net';
import { RefusedAddressError } from '../errors.ts';

export type Family = 4 | 6;

/** A validated host or network, in the form the kernel tools are given. */
export interface Address {
  family: Family;
  /** Network address as an integer (32 or 128 bits). */
  value: bigint;
  /** Prefix length: 32 / 128 for a single host. */
  prefix: number;
  /** Canonical text: `1.2.3.4`, `2001:db8::1`, `10.0.0.0/8`, `2001:db8::/32`. */
  text: string;
}

export interface NormaliseOptions {
  /** Accept `a/n` networks (the ipset backend then uses hash:net). Default false. */
  allowCidr?: boolean;
}

// Only these characters can occur in an address or CIDR: no spaces, no
// leading '-', no '%zone', no shell or option syntax survives this check.
const ALLOWED = /^[0-9A-Fa-f:.]+(\/[0-9]{1,3})?$/;
const MAX_LEN = 49; // 45 (longest IPv6 text with dotted tail) + "/128"

export function normaliseAddress(input: unknown, opts: NormaliseOptions = {}): Address {
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_LEN || !ALLOWED.test(input)) {
    throw refuse(input, 'is not an IPv4/IPv6 address');
  }
  const [host = '', prefixText] = input.split('/');
  const family = isIP(host);
  if (family !== 4 && family !== 6) throw refuse(input, 'is not an IPv4/IPv6 address');
  if (prefixText !== undefined && !opts.allowCidr) {
    throw new RefusedAddressError(`refused address ${JSON.stringify(input)}: CIDR networks are not allowed (FIREWALL_ALLOW_CIDR=false)`, 'CIDR_NOT_ALLOWED', input);
  }
  let fam: Family = family;
  let value = family === 4 ? parseV4(host) : parseV6(host);
  let bits = family === 4 ? 32 : 128;
  let prefix = bits;
  if (prefixText !== undefined) {
    if (prefixText.length > 1 && prefixText.startsWith('0')) throw refuse(input, 'has a malformed prefix length');
    prefix = Number(prefixText);
    if (prefix < 1 || prefix > bits) throw refuse(input, `needs a prefix length between 1 and ${bits}`);
  }
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 host: the kernel sees it as IPv4.
  if (fam === 6 && value >> 32n === 0xffffn && prefix >= 96) {
    fam = 4;
    value = value & 0xffffffffn;
    prefix -= 96;
    bits = 32;
    if (prefix === 0) throw refuse(input, 'covers the whole IPv4 space');
  }
  value = value & mask(prefix, bits); // 10.1.2.3/8 → 10.0.0.0/8
  const host2 = fam === 4 ? formatV4(value) : formatV6(value);
  return { family: fam, value, prefix, text: prefix === bits ? host2 : `${host2}/${prefix}` };
}

export function mask(prefix: number, bits: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefix)) - 1n);
}

/** First and last address covered, for overlap checks. */
export function range(a: Address): [bigint, bigint] {
  const bits = a.family === 4 ? 32 : 128;
  return [a.value, a.value | ((1n << BigInt(bits - a.prefix)) - 1n)];
}

function refuse(input: unknown, why: string): RefusedAddressError {
  const shown = typeof input === 'string' ? JSON.stringify(input.slice(0, 80)) : String(input);
  return new RefusedAddressError(`refused address ${shown}: ${why}`, 'INVALID_ADDRESS', input);
}

function parseV4(s: string): bigint {
  return s.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function parseV6(s: string): bigint {
  let text = s.toLowerCase();
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const dot = text.lastIndexOf(':');
  if (text.includes('.')) {
    const v4 = parseV4(text.slice(dot + 1));
    text = `${text.slice(0, dot + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function formatV4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
}

/** RFC 5952: lower case, no leading zeros, longest run (≥ 2) of zero groups as `::`. */
function formatV6(v: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
