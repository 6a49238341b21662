// Everything one static-gen process holds open: the rows, the compiled
// templates, the site, the one lock over the output folder, the sitemap
// schedule. Used by the worker (worker.ts) and the rebuild command
// (rebuild-main.ts) alike.
import { SharedLock, type Logger } from '@dbfifo/fifo-core';
import type { StaticConfig } from '../config.ts';
import type { NewsLine } from '../line.ts';
import { NewsRows } from '../rows.ts';
import { reconcileSite, type ReconcileOptions, type SiteReconcileReport } from './reconcile.ts';
import { renderBatch, type BatchStats } from './render-batch.ts';
import { Site } from './site.ts';
import { SitemapSchedule } from './sitemap.ts';
import { Templates } from './templates.ts';

export interface StaticApp {
  rows: NewsRows;
  site: Site;
  /** One writer of the output folder at a time (exclusive): live batches, reconcile chunks, template reloads. */
  lock: SharedLock;
  sitemap: SitemapSchedule;
  batchStats: BatchStats;
  /** Render a batch of doorbells as one pass: one outcome per line (undefined = handled). */
  renderBatch(lines: readonly NewsLine[], signal?: AbortSignal): Promise<(Error | undefined)[]>;
  reconcile(opts?: ReconcileOptions): Promise<SiteReconcileReport>;
  /** Compile the template folder again and, if that worked, re-render every page. */
  reloadTemplates(): Promise<SiteReconcileReport>;
  /** Wait for a scheduled sitemap refresh. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export async function openStaticApp(config: StaticConfig, log: Logger): Promise<StaticApp> {
  const templates = await Templates.load(config.static.templatesDir);
  const site = new Site(config.site, templates);
  await site.prepare();
  // A commit-wait per running batch, the lock holder's reads, the sitemap, reconcile.
  const rows = NewsRows.open(config.db, config.runtime.concurrency + 4);
  const lock = new SharedLock();
  const sitemap = new SitemapSchedule({ rows, site, log, delayMs: config.static.sitemapDelayMs });
  const batchStats: BatchStats = { batches: 0, rolledBack: 0, notCommitted: 0 };
  const renderConcurrency = config.static.renderConcurrency;
  const batchDeps = { rows, site, lock, sitemap, log, rowWaitMs: config.static.rowWaitMs, renderConcurrency };
  const reconcileDeps = { rows, site, lock, sitemap, log, renderConcurrency };
  return {
    rows, site, lock, sitemap, batchStats,
    renderBatch: (lines, signal) => renderBatch(batchDeps, batchStats, lines, signal),
    reconcile: (opts = {}) => reconcileSite(reconcileDeps, opts),
    async reloadTemplates() {
      const next = await Templates.load(config.static.templatesDir);
      await lock.exclusive(async () => void (site.templates = next));
      return reconcileSite(reconcileDeps); // the fingerprint changed: a full pass
    },
    drain: () => sitemap.drain(),
    async close() {
      await sitemap.drain();
      await rows.close();
    },
  };
}
