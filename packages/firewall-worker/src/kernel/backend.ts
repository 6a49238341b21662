// What a firewall backend must do. The worker decides *what* should be
// banned (rows, allowlist, expiry); a backend only makes the kernel say so.
import type { Address } from './address.ts';

export interface Ban {
  address: Address;
  /** Seconds until expiry; undefined = no expiry. */
  ttlSeconds?: number;
}

export interface ReplaceReport {
  /** Entries now present that were missing before. */
  added: number;
  /** Entries removed because no active row asked for them. */
  removed: number;
}

/** Several bans and unbans applied together (a group of doorbells); no address is in both lists. */
export interface Changes {
  ban: readonly Ban[];
  unban: readonly Address[];
}

export interface Backend {
  readonly name: 'ipset' | 'iptables' | 'dry-run';
  /** Idempotent: sets, the dedicated chain, its rules and the jump into it. */
  setup(): Promise<void>;
  ban(ban: Ban): Promise<void>;
  /** Idempotent: unbanning an address that is not banned is not an error. */
  unban(address: Address): Promise<void>;
  /** Bans and unbans of many addresses in one kernel transaction where the tool allows it. */
  apply(changes: Changes): Promise<void>;
  /** Make the kernel hold exactly `bans`, in one batch. */
  replaceAll(bans: readonly Ban[]): Promise<ReplaceReport>;
  /** Canonical texts of what the kernel holds now. */
  list(): Promise<string[]>;
  /** Remove the jump, chain and sets (tests, `--uninstall`); never called on a normal stop. */
  teardown(): Promise<void>;
  /** Let go of what the backend keeps running between calls (the worker's stop); the kernel keeps its bans. */
  close?(): void;
}

export interface FirewallNames {
  /** Dedicated chain, e.g. DBFIFO. */
  chain: string;
  /** Built-in chain that jumps to it, e.g. INPUT. */
  hookChain: string;
  /** DROP or REJECT. */
  target: 'DROP' | 'REJECT';
  /** ipset name prefix: `<prefix>-v4`, `<prefix>-v6`. */
  setPrefix: string;
  /** ipset maxelem per family. */
  maxElements: number;
  /** hash:net instead of hash:ip. */
  allowCidr: boolean;
}

export const tables = { 4: 'iptables', 6: 'ip6tables' } as const;

export function diff(current: readonly string[], wanted: readonly Ban[]): ReplaceReport {
  const have = new Set(current);
  const want = new Set(wanted.map((b) => b.address.text));
  let added = 0;
  let removed = 0;
  for (const w of want) if (!have.has(w)) added++;
  for (const h of have) if (!want.has(h)) removed++;
  return { added, removed };
}
