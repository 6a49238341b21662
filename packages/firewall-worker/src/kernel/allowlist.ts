// Addresses that are never banned, whatever the table says: loopback always,
// plus the operator's networks and hosts (FIREWALL_ALLOWLIST). A CIDR ban is
// refused when it merely overlaps an allowlisted range, so `10.0.0.0/8`
// cannot take down an allowlisted `10.1.2.3`.
import { normaliseAddress, range, type Address } from './address.ts';
import { RefusedAddressError } from '../errors.ts';

const ALWAYS = ['127.0.0.0/8', '::1/128'];

export class Allowlist {
  private readonly entries: Address[];

  /** @param extra networks or addresses; invalid entries throw (config is checked at start). */
  constructor(extra: readonly string[] = []) {
    this.entries = [...ALWAYS, ...extra].map((e) => normaliseAddress(e, { allowCidr: true }));
  }

  /** The allowlisted entry covering or overlapping `a`, if any. */
  match(a: Address): Address | undefined {
    const [s, e] = range(a);
    return this.entries.find((x) => {
      if (x.family !== a.family) return false;
      const [xs, xe] = range(x);
      return xs <= e && s <= xe;
    });
  }

  /** Throws RefusedAddressError when `a` is allowlisted. */
  check(a: Address): void {
    const hit = this.match(a);
    if (hit) {
      throw new RefusedAddressError(`refused address ${JSON.stringify(a.text)}: allowlisted (${hit.text})`, 'ALLOWLISTED', a.text);
    }
  }

  get size(): number {
    return this.entries.length;
  }
}
