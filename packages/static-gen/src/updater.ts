// Applies one coalesced batch of doorbells to the output folder.
//
// 1. For every article in the batch, wait (outside the lock, in parallel)
//    until the edit that rang is visible: the row's version reaches the one
//    in the line, or, for a delete, the row is gone. The trigger fires before
//    COMMIT; if the edit never shows up it was rolled back.
// 2. Under the site lock, read each row as it is *now* and make the disk
//    agree: published → render and write (bytes compared first), draft or
//    gone → remove its page, renamed → remove the old page unless another
//    published article owns that slug. A rolled-back edit therefore renders
//    the committed row, whose bytes equal the page already there: no write.
// 3. Refresh index.html once for the whole batch (latest N: a cheap query),
//    and schedule sitemap.xml: it lists up to 50,000 URLs (≈0.5–1 s at 100k
//    rows, see docs/bench/static-gen.md), so it has its own, slower
//    coalescing window (STATIC_SITEMAP_DELAY_MS) and is not awaited by the
//    lines: once per burst, without holding every edit back.
import type { Pool } from 'mysql2/promise';
import { forEachLimit, RolledBackError, waitForRow, type Logger } from '@dbfifo/fifo-core';
import { type ArticleRow, fetchArticle, fetchCommittedVersion, fetchLatest, fetchSitemap, publishedSlugsAmong } from './db.ts';
import { Coalescer, type FlushOutcome } from './coalescer.ts';
import { Mutex } from './mutex.ts';
import type { NewsEvent } from './message.ts';
import type { Site } from './site.ts';
import { isSafeSlug } from './slug.ts';

export interface UpdaterDeps {
  pool: Pool;
  site: Site;
  lock: Mutex;
  log: Logger;
  signal?: AbortSignal;
  rowWaitMs: number;
  renderConcurrency: number;
  /** Quiet time before sitemap.xml is refreshed after a batch (at most 5× this under a steady stream). */
  sitemapDelayMs: number;
}

export interface UpdaterStats {
  batches: number;
  /** Edits that never became visible within rowWaitMs (rolled back, or a very long transaction). */
  notVisible: number;
}

export function createUpdater(deps: UpdaterDeps) {
  const stats: UpdaterStats = { batches: 0, notVisible: 0 };

  /** True when the edit became visible in time. */
  async function awaitEdit(id: number, events: NewsEvent[]): Promise<boolean> {
    const last = events[events.length - 1]!;
    const versions = events.map((e) => e.version).filter((v): v is number => v !== undefined);
    let visible: unknown;
    // Each read waits for the writer's COMMIT/ROLLBACK (locking read); waitForRow
    // re-reads only when the committed row does not show the edit (rolled back).
    const version = ({ remainingMs }: { remainingMs: number }) => fetchCommittedVersion(deps.pool, id, { timeoutMs: remainingMs, signal: deps.signal });
    if (last.op === 'delete') {
      visible = await waitForRow(async (ctx) => ((await version(ctx)) === null ? true : undefined), { timeoutMs: deps.rowWaitMs, signal: deps.signal });
    } else {
      const want = versions.length ? Math.max(...versions) : 0;
      visible = await waitForRow(async (ctx) => {
        const v = await version(ctx);
        return typeof v === 'number' && v >= want ? true : undefined;
      }, { timeoutMs: deps.rowWaitMs, signal: deps.signal });
    }
    if (visible === undefined) {
      stats.notVisible++;
      deps.log.info({ id, op: last.op }, 'edit not visible after %d ms (rolled back?): rendering the committed row', deps.rowWaitMs);
    }
    return visible !== undefined;
  }

  /**
   * After a timeout, tell each line whether *its* edit was rolled back (fifo-core
   * then counts it as such and does not retry): an insert/update whose version
   * the committed row never reached, or a delete whose row is still there.
   */
  function rolledBackOutcome(committed: ArticleRow | undefined): FlushOutcome<NewsEvent> {
    return (e) => {
      const lost = e.op === 'delete' ? committed !== undefined : committed === undefined || (e.version !== undefined && committed.version < e.version);
      return lost ? new RolledBackError(`news #${e.id}: ${e.op} not visible after ${deps.rowWaitMs} ms, rolled back; the page shows the committed row`) : undefined;
    };
  }

  async function applyArticle(id: number, events: NewsEvent[]): Promise<ArticleRow | undefined> {
    const row = await fetchArticle(deps.pool, id);
    const stale = new Set(events.flatMap((e) => e.staleSlugs));
    const published = row?.status === 'published';
    if (row && !published) stale.add(row.slug);
    if (row && published) stale.delete(row.slug);
    const candidates = [...stale].filter(isSafeSlug);
    const owned = await publishedSlugsAmong(deps.pool, candidates);
    for (const slug of candidates) {
      if (!owned.has(slug) && (await deps.site.removeArticle(slug))) deps.log.info({ id, slug }, 'page removed');
    }
    if (row && published) {
      const outcome = await deps.site.writeArticle(row);
      deps.log.debug({ id, slug: row.slug, outcome }, 'page rendered');
    }
    return row;
  }

  async function refreshIndexPage(): Promise<void> {
    await deps.site.writeIndex(await fetchLatest(deps.pool, deps.site.settings.indexSize));
  }

  // sitemap.xml has its own writer lock: it never races itself, and never holds up pages.
  const sitemapLock = new Mutex();
  const refreshSitemap = () => sitemapLock.run(async () => {
    await deps.site.writeSitemap(await fetchSitemap(deps.pool, deps.site.settings.sitemapMax));
  });
  const sitemapSchedule = new Coalescer<'sitemap', null>(
    { debounceMs: deps.sitemapDelayMs, maxWaitMs: deps.sitemapDelayMs * 5 },
    async () => {
      await refreshSitemap();
      return new Map();
    },
  );
  function scheduleSitemap(): void {
    sitemapSchedule.add('sitemap', null).catch((err: unknown) => deps.log.error({ err }, 'sitemap.xml not refreshed (reconcile will retry)'));
  }


  /** The Coalescer's flush function: errors per article id; an index failure fails the whole batch. */
  async function flush(batch: Map<number, NewsEvent[]>): Promise<Map<number, FlushOutcome<NewsEvent>>> {
    stats.batches++;
    const late = new Set<number>();
    await forEachLimit(batch, Math.max(deps.renderConcurrency, 16), async ([id, events]) => {
      if (!(await awaitEdit(id, events))) late.add(id);
    });
    return deps.lock.run(async () => {
      const errors = new Map<number, FlushOutcome<NewsEvent>>();
      await forEachLimit(batch, deps.renderConcurrency, async ([id, events]) => {
        try {
          const row = await applyArticle(id, events);
          if (late.has(id)) errors.set(id, rolledBackOutcome(row));
        } catch (err) {
          errors.set(id, err as Error);
        }
      });
      await refreshIndexPage();
      scheduleSitemap();
      return errors;
    });
  }

  /** Wait for a scheduled sitemap refresh (shutdown, tests). */
  const drain = () => sitemapSchedule.drain();

  return { flush, refreshIndexPage, refreshSitemap, drain, stats };
}
