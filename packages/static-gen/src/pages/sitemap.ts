// sitemap.xml lists up to 50,000 URLs (≈0.5–1 s at 100,000 rows, see
// docs/bench/static-gen.md), so it is not refreshed inside every batch: a
// batch schedules it, and fifo-core's Batcher writes it once the burst has
// been quiet for STATIC_SITEMAP_DELAY_MS (at most 5× that under a steady
// stream). Refreshes run one at a time, each from a fresh query, so an older
// list never overwrites a newer one.
import { Batcher, type Logger } from '@dbfifo/fifo-core';
import type { NewsRows } from '../rows.ts';
import type { Site } from './site.ts';

export class SitemapSchedule {
  private readonly batcher: Batcher<'sitemap', null>;

  constructor(private readonly o: { rows: NewsRows; site: Site; log: Logger; delayMs: number }) {
    this.batcher = new Batcher(() => this.write(), { quietMs: o.delayMs, maxWaitMs: o.delayMs * 5 });
  }

  /** After a batch: refresh once the burst is quiet. A failure is logged; the next batch or reconcile writes it. */
  soon(): void {
    this.batcher.add('sitemap', null).catch((err: unknown) => this.o.log.error({ err }, 'sitemap.xml not refreshed (the next batch or reconcile will)'));
  }

  /** Refresh now and wait for it (reconcile, rebuild); joins a scheduled refresh. */
  async now(): Promise<void> {
    const failed = this.batcher.add('sitemap', null).then(() => undefined, (err: unknown) => err);
    await this.batcher.drain();
    const err = await failed;
    if (err !== undefined) throw err;
  }

  /** Wait for a scheduled refresh (shutdown, tests). */
  drain(): Promise<void> {
    return this.batcher.drain();
  }

  private async write(): Promise<void> {
    const { rows, site } = this.o;
    const pass = site.pass('live');
    await site.writeSitemap(await rows.sitemap(site.settings.sitemapMax), pass);
    await pass.finish();
  }
}
