// One batch of doorbells rendered as one pass (the worker's handleBatch):
//
// 1. One commit-wait for the whole batch, outside the lock: a locking read of
//    the articles' versions returns right after their writers' COMMIT or
//    ROLLBACK (the trigger rang before either). Each doorbell gets its
//    verdict: committed, rolled back (RolledBackError: counted, not retried)
//    or still uncommitted after STATIC_ROW_WAIT_MS (EditNotCommittedError:
//    retried; its article is left for that retry).
// 2. Under the site lock, once: read the rows as they are now and make the
//    disk agree. Published → render and write (bytes compared first); draft
//    or gone → remove its page; renamed → remove the old page unless another
//    published article owns that slug. A rolled-back edit therefore renders
//    the committed row, whose bytes equal the page already there: no write.
// 3. Refresh index.html once (latest N: a cheap query), make the batch's
//    pages durable (write-pass.ts), and schedule sitemap.xml, which has its
//    own slower window (sitemap.ts): the doorbells do not wait for it.
import { forEachLimit, RolledBackError, type Logger, type ReadCommittedOutcome, type SharedLock } from '@dbfifo/fifo-core';
import { EditNotCommittedError } from '../errors.ts';
import type { NewsLine } from '../line.ts';
import type { CommittedVersion, NewsRows } from '../rows.ts';
import type { Site } from './site.ts';
import type { SitemapSchedule } from './sitemap.ts';
import { isSafeSlug } from './slug.ts';

export interface RenderBatchDeps {
  rows: NewsRows;
  site: Site;
  lock: SharedLock;
  sitemap: SitemapSchedule;
  log: Logger;
  rowWaitMs: number;
  renderConcurrency: number;
}

export interface BatchStats {
  batches: number;
  /** Doorbells whose edit never committed (RolledBackError). */
  rolledBack: number;
  /** Doorbells whose edit was still uncommitted after rowWaitMs (retried). */
  notCommitted: number;
}

/** What became of the edit a doorbell rang for: undefined when it committed. */
function verdict(line: NewsLine, c: ReadCommittedOutcome<CommittedVersion> | undefined, rowWaitMs: number): Error | undefined {
  const state = c?.state ?? 'absent';
  if (state === 'timeout' || state === 'aborted') return new EditNotCommittedError(line.id, rowWaitMs);
  if (line.op === 'delete') {
    return state === 'absent' ? undefined : new RolledBackError(`news #${line.id}: delete rolled back; the page shows the committed row`);
  }
  if (c?.state !== 'committed') return new RolledBackError(`news #${line.id}: ${line.op} rolled back (or the row was deleted since)`);
  if (line.version !== undefined && c.row.version < line.version) {
    return new RolledBackError(`news #${line.id}: ${line.op} to version ${line.version} rolled back; the page shows version ${c.row.version}`);
  }
  return undefined;
}

export async function renderBatch(deps: RenderBatchDeps, stats: BatchStats, lines: readonly NewsLine[], signal?: AbortSignal): Promise<(Error | undefined)[]> {
  const { rows, site, log } = deps;
  stats.batches++;
  const committed = await rows.committedVersions(lines.map((l) => l.id), { timeoutMs: deps.rowWaitMs, signal });
  if (signal?.aborted) throw new Error('static-gen: shutdown began while the batch waited for its commits');
  const outcomes = lines.map((l) => verdict(l, committed.get(l.id), deps.rowWaitMs));
  outcomes.forEach((o) => {
    if (o instanceof RolledBackError) stats.rolledBack++;
    if (o instanceof EditNotCommittedError) stats.notCommitted++;
  });
  const apply = lines.filter((_, i) => !(outcomes[i] instanceof EditNotCommittedError));

  await deps.lock.exclusive(async () => {
    const byId = new Map((await rows.articles(apply.map((l) => l.id))).map((r) => [r.id, r]));
    // Pages an edit may have left behind: the slugs the doorbells name, and a row's own slug once it is no longer published.
    const stale = new Set<string>();
    for (const l of apply) {
      const row = byId.get(l.id);
      for (const s of l.staleSlugs) stale.add(s);
      if (row && row.status !== 'published') stale.add(row.slug);
    }
    for (const row of byId.values()) if (row.status === 'published') stale.delete(row.slug);
    const candidates = [...stale].filter(isSafeSlug);
    const owned = await rows.publishedSlugsAmong(candidates);

    const pass = site.pass('live');
    const failed = new Map<number, Error>();
    for (const slug of candidates) {
      if (!owned.has(slug) && (await site.removeArticle(slug, pass))) log.info({ slug }, 'page removed');
    }
    await forEachLimit(byId.values(), deps.renderConcurrency, async (row) => {
      if (row.status !== 'published') return;
      try {
        const outcome = await site.writeArticle(row, pass);
        log.debug({ id: row.id, slug: row.slug, outcome }, 'page rendered');
      } catch (err) {
        failed.set(row.id, err as Error);
        log.warn({ id: row.id, slug: row.slug, err }, 'page not written');
      }
    });
    await site.writeIndex(await rows.latest(site.settings.indexSize), pass);
    await pass.finish();
    lines.forEach((l, i) => {
      const err = failed.get(l.id);
      if (err) outcomes[i] = err;
    });
  });
  deps.sitemap.soon();
  return outcomes;
}
