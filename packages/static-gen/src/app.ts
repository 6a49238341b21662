// Everything one static-gen process holds open: the pool, the compiled
// templates, the site, the lock they share, the batch updater. Used by the
// worker (worker.ts) and the rebuild command (rebuild-cli.ts) alike.
import { createPool, type Logger } from '@dbfifo/fifo-core';
import type { Pool } from 'mysql2/promise';
import { Mutex } from './mutex.ts';
import { reconcileSite, type ReconcileOptions, type SiteReconcileReport } from './reconcile.ts';
import { Site } from './site.ts';
import { Templates } from './templates.ts';
import { createUpdater } from './updater.ts';
import type { StaticConfig } from './config.ts';

export interface StaticApp {
  pool: Pool;
  site: Site;
  lock: Mutex;
  updater: ReturnType<typeof createUpdater>;
  reconcile(opts?: ReconcileOptions): Promise<SiteReconcileReport>;
  /** Compile the template folder again and, if that worked, re-render every page. */
  reloadTemplates(): Promise<SiteReconcileReport>;
  close(): Promise<void>;
}

export async function openStaticApp(config: StaticConfig, log: Logger, signal?: AbortSignal): Promise<StaticApp> {
  const templates = await Templates.load(config.static.templatesDir);
  const site = new Site(config.site, templates);
  await site.prepare();
  const pool = createPool(config.db, { connectionLimit: config.static.renderConcurrency + 4 });
  const lock = new Mutex();
  const updater = createUpdater({
    pool, site, lock, log, signal,
    rowWaitMs: config.static.rowWaitMs,
    renderConcurrency: config.static.renderConcurrency,
    sitemapDelayMs: config.static.sitemapDelayMs,
  });
  const deps = { pool, site, lock, log, renderConcurrency: config.static.renderConcurrency, refreshIndexPage: updater.refreshIndexPage, refreshSitemap: updater.refreshSitemap };
  return {
    pool, site, lock, updater,
    reconcile: (opts = {}) => reconcileSite(deps, { signal, ...opts }),
    async reloadTemplates() {
      site.templates = await Templates.load(config.static.templatesDir);
      return reconcileSite(deps, { signal }); // the fingerprint changed: a full pass
    },
    close: () => pool.end(),
  };
}
