// Backend that touches nothing: it logs what it would do and remembers it,
// so the demo and reconcile reports still make sense without root.
import type { Logger } from '@dbfifo/fifo-core';
import type { Address } from './address.ts';
import { diff, type Backend, type Ban, type Changes, type ReplaceReport } from './backend.ts';

export class DryRunBackend implements Backend {
  readonly name = 'dry-run';
  private readonly banned = new Set<string>();
  constructor(private readonly log: Logger) {}

  async setup(): Promise<void> {
    this.log.info({ backend: this.name }, 'dry-run: would create sets, chain and rules');
  }

  async ban(b: Ban): Promise<void> {
    this.banned.add(b.address.text);
    this.log.info({ backend: this.name, address: b.address.text, ttlSeconds: b.ttlSeconds ?? null }, 'dry-run: would ban');
  }

  async unban(a: Address): Promise<void> {
    this.banned.delete(a.text);
    this.log.info({ backend: this.name, address: a.text }, 'dry-run: would unban');
  }

  async apply(c: Changes): Promise<void> {
    for (const a of c.unban) await this.unban(a);
    for (const b of c.ban) await this.ban(b);
  }

  async replaceAll(bans: readonly Ban[]): Promise<ReplaceReport> {
    const report = diff([...this.banned], bans);
    this.banned.clear();
    for (const b of bans) this.banned.add(b.address.text);
    this.log.info({ backend: this.name, ...report, total: bans.length }, 'dry-run: would replace the ban set');
    return report;
  }

  async list(): Promise<string[]> {
    return [...this.banned];
  }

  async teardown(): Promise<void> {}
}
