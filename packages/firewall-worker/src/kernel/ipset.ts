// Default backend: one ipset per family (hash:ip, or hash:net when CIDR bans
// are allowed) with kernel-side timeouts, matched by ONE rule per family in
// the dedicated chain. A packet costs one hash lookup however many addresses
// are banned, and an expired ban leaves the kernel on its own.
import { normaliseAddress, type Address, type Family } from './address.ts';
import { diff, type Backend, type Ban, type Changes, type FirewallNames, type ReplaceReport } from './backend.ts';
import { ensureChain, ensureRule, removeChain } from './chain.ts';
import type { Runner } from './exec.ts';
import type { IpsetSession } from './ipset-session.ts';

/** ipset's largest timeout (seconds); longer bans are stored without one and removed by the worker. */
export const MAX_IPSET_TIMEOUT = 2_147_483;
const FAMILIES: Family[] = [4, 6];

export function ipsetTimeout(ttl: number | undefined): number {
  if (ttl === undefined || ttl > MAX_IPSET_TIMEOUT) return 0; // 0 = never times out
  return Math.max(1, Math.ceil(ttl));
}

export class IpsetBackend implements Backend {
  readonly name = 'ipset';
  constructor(
    private readonly run: Runner,
    private readonly n: FirewallNames,
    /** Where batches of bans and unbans go, without a fork each. */
    private readonly session: IpsetSession,
  ) {}

  setName(f: Family, suffix = ''): string {
    return `${this.n.setPrefix}-v${f}${suffix}`;
  }

  private createArgs(f: Family, name: string): string[] {
    const type = this.n.allowCidr ? 'hash:net' : 'hash:ip';
    return [name, type, 'family', f === 4 ? 'inet' : 'inet6', 'timeout', '0', 'maxelem', String(this.n.maxElements)];
  }

  async setup(): Promise<void> {
    for (const f of FAMILIES) {
      // -exist: an existing set of the same type is kept with its entries (a restart keeps bans).
      await this.run(['ipset', '-exist', 'create', ...this.createArgs(f, this.setName(f))]);
      await ensureChain(this.run, f, this.n);
      await ensureRule(this.run, f, this.n.chain, ['-m', 'set', '--match-set', this.setName(f), 'src', '-j', this.n.target]);
    }
  }

  async ban(b: Ban): Promise<void> {
    await this.apply({ ban: [b], unban: [] });
  }

  async unban(a: Address): Promise<void> {
    await this.apply({ ban: [], unban: [a] });
  }

  /**
   * The whole batch, both families, in one request to the session:
   * `-exist` makes an add of a present entry refresh its timeout and a del
   * of a missing one a no-op. Texts are canonical (validated by
   * normaliseAddress): safe as restore lines.
   */
  async apply(c: Changes): Promise<void> {
    const lines = [
      ...c.unban.map((a) => `del ${this.setName(a.family)} ${a.text}`),
      ...c.ban.map((b) => `add ${this.setName(b.address.family)} ${b.address.text} timeout ${ipsetTimeout(b.ttlSeconds)}`),
    ];
    if (lines.length) await this.session.run(lines);
  }

  close(): void {
    this.session.close();
  }

  /**
   * One `ipset restore` builds a fresh set per family and swaps it in
   * atomically: missing bans appear, stale ones vanish, a flushed or
   * destroyed set heals, and no packet ever sees a half-built set.
   */
  async replaceAll(bans: readonly Ban[]): Promise<ReplaceReport> {
    const report = diff(await this.list(), bans);
    const lines: string[] = [];
    for (const f of FAMILIES) {
      const live = this.setName(f);
      const tmp = this.setName(f, '-new');
      lines.push(`create ${this.createArgs(f, live).join(' ')}`); // recreate if someone destroyed it
      lines.push(`create ${this.createArgs(f, tmp).join(' ')}`, `flush ${tmp}`);
      for (const b of bans) if (b.address.family === f) lines.push(`add ${tmp} ${b.address.text} timeout ${ipsetTimeout(b.ttlSeconds)}`);
      lines.push(`swap ${tmp} ${live}`, `destroy ${tmp}`);
    }
    await this.run(['ipset', '-exist', 'restore'], { input: `${lines.join('\n')}\n` });
    // The rules survive a swap, but not a flushed chain: put them back too.
    await this.setup();
    // The next doorbell's session enters the namespace as it is now (see IpsetSession.recycle).
    this.session.recycle();
    return report;
  }

  async list(): Promise<string[]> {
    const out: string[] = [];
    for (const f of FAMILIES) {
      const r = await this.run(['ipset', 'save', this.setName(f)], { check: true });
      if (!r.ok) continue; // set missing: nothing banned in it
      for (const line of r.stdout.split('\n')) {
        const m = /^add \S+ (\S+)/.exec(line);
        if (m) out.push(normaliseAddress(m[1], { allowCidr: true }).text);
      }
    }
    return out;
  }

  async teardown(): Promise<void> {
    for (const f of FAMILIES) {
      await removeChain(this.run, f, this.n);
      await this.run(['ipset', 'destroy', this.setName(f)], { check: true });
      await this.run(['ipset', 'destroy', this.setName(f, '-new')], { check: true });
    }
  }
}
