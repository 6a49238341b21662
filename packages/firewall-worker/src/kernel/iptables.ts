// Fallback backend for hosts without ipset: one rule per banned address in
// the dedicated chain. Check (`-C`) before add, so a ban is applied once
// however often its doorbell rings. Rules have no kernel timeout: the
// worker's expiry timer and reconcile remove expired ones.
import { normaliseAddress, type Address, type Family } from './address.ts';
import { diff, tables, type Backend, type Ban, type Changes, type FirewallNames, type ReplaceReport } from './backend.ts';
import { ensureChain, ensureRule, removeChain } from './chain.ts';
import type { Runner } from './exec.ts';

const FAMILIES: Family[] = [4, 6];

export class IptablesBackend implements Backend {
  readonly name = 'iptables';
  constructor(
    private readonly run: Runner,
    private readonly n: FirewallNames,
  ) {}

  private rule(a: { text: string }): string[] {
    return ['-s', a.text, '-j', this.n.target];
  }

  async setup(): Promise<void> {
    for (const f of FAMILIES) await ensureChain(this.run, f, this.n);
  }

  async ban(b: Ban): Promise<void> {
    await ensureRule(this.run, b.address.family, this.n.chain, this.rule(b.address));
  }

  async unban(a: Address): Promise<void> {
    await this.unbanOne(a);
  }

  private async unbanOne(a: Address): Promise<void> {
    const t = tables[a.family];
    // Delete until none is left (a rule added twice by hand goes too).
    while ((await this.run([t, '-w', '-D', this.n.chain, ...this.rule(a)], { check: true })).ok);
  }

  /**
   * A group of bans/unbans: one `-S` listing and one `iptables-restore
   * --noflush` per family involved, instead of a check and an add per
   * address. The chain is not declared, so it is not flushed: only `-A` of
   * missing rules and `-D` of present ones (each copy), in one transaction.
   * If the chain changed between listing and restore, the restore fails as a
   * whole and the caller retries address by address.
   */
  async apply(c: Changes): Promise<void> {
    for (const f of FAMILIES) {
      const bans = c.ban.filter((b) => b.address.family === f);
      const unbans = c.unban.filter((a) => a.family === f);
      if (bans.length + unbans.length === 0) continue;
      if (bans.length + unbans.length === 1) {
        // A lone change: the plain commands are as cheap and need no listing.
        if (bans[0]) await ensureRule(this.run, f, this.n.chain, this.rule(bans[0].address));
        else await this.unbanOne(unbans[0]!);
        continue;
      }
      const present = new Map<string, number>();
      for (const a of await this.listFamily(f)) present.set(a, (present.get(a) ?? 0) + 1);
      const lines = ['*filter'];
      for (const b of bans) if (!present.has(b.address.text)) lines.push(`-A ${this.n.chain} ${this.rule(b.address).join(' ')}`);
      for (const a of unbans) for (let i = present.get(a.text) ?? 0; i > 0; i--) lines.push(`-D ${this.n.chain} ${this.rule(a).join(' ')}`);
      if (lines.length === 1) continue; // the kernel already agrees
      lines.push('COMMIT', '');
      await this.run([`${tables[f]}-restore`, '-w', '--noflush'], { input: lines.join('\n') });
    }
  }

  /**
   * One `iptables-restore --noflush` per family: declaring the dedicated
   * chain flushes only that chain, and the new rule list replaces it in one
   * kernel transaction. Other chains and rules are untouched.
   */
  async replaceAll(bans: readonly Ban[]): Promise<ReplaceReport> {
    await this.setup(); // chain and jump must exist (a flushed INPUT loses the jump)
    const report = diff(await this.list(), bans);
    for (const f of FAMILIES) {
      const lines = ['*filter', `:${this.n.chain} - [0:0]`];
      for (const b of bans) if (b.address.family === f) lines.push(`-A ${this.n.chain} ${this.rule(b.address).join(' ')}`);
      lines.push('COMMIT', '');
      await this.run([`${tables[f]}-restore`, '-w', '--noflush'], { input: lines.join('\n') });
    }
    return report;
  }

  async list(): Promise<string[]> {
    const out: string[] = [];
    for (const f of FAMILIES) out.push(...(await this.listFamily(f)));
    return out;
  }

  /** Canonical source addresses of the chain's rules (one per rule, duplicates kept). */
  private async listFamily(f: Family): Promise<string[]> {
    const r = await this.run([tables[f], '-w', '-S', this.n.chain], { check: true });
    if (!r.ok) return [];
    const out: string[] = [];
    for (const line of r.stdout.split('\n')) {
      const m = /^-A \S+ -s (\S+) -j/.exec(line);
      if (m) out.push(normaliseAddress(m[1]!, { allowCidr: true }).text);
    }
    return out;
  }

  async teardown(): Promise<void> {
    for (const f of FAMILIES) await removeChain(this.run, f, this.n);
  }
}
