// Level-triggered repair of the output folder, and the full rebuild.
//
// Normal pass (at start, every DBFIFO_RECONCILE_INTERVAL_MS, and on catch-up):
// render every published article whose page is missing or older than its row
// (a page's mtime is set to its row's updated_at when written), remove orphan
// pages, drop temp files left by a crashed writer, refresh index and sitemap.
// Every published article is rendered (a full pass; unchanged bytes are still
// not rewritten) when:
//   - the templates or the settings that shape pages changed since the last
//     full pass (fingerprint in .static-gen.json);
//   - a pass was cut short by a reboot before its closing sync (an unsynced
//     marker from an earlier boot, write-pass.ts): its pages may be empty or
//     truncated, and comparing every page with its row finds them;
//   - `force` is set (the rebuild command).
// A pass writes without fsync per page and syncs the file system once at its
// end ('pass' policy), which is what makes a rebuild of 100,000 pages fast.
import { forEachLimit, type Logger, type SharedLock } from '@dbfifo/fifo-core';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { NewsRows, Stamp } from '../rows.ts';
import { mtimeIsBefore, removeTempLitter } from './atomic-write.ts';
import type { Site } from './site.ts';
import type { SitemapSchedule } from './sitemap.ts';
import { isSafeSlug, slugOfFile } from './slug.ts';
import { clearUnsyncedMarkers, findUnsyncedMarkers, type WritePass } from './write-pass.ts';

export interface ReconcileDeps {
  rows: NewsRows;
  site: Site;
  lock: SharedLock;
  sitemap: SitemapSchedule;
  log: Logger;
  renderConcurrency: number;
}

export interface ReconcileOptions {
  force?: boolean;
  signal?: AbortSignal;
  /** Called as pages are rendered: done of total. */
  onProgress?(done: number, total: number): void;
}

/** What one pass over the output folder did (fifo-core's ReconcileReport, with the details). */
export interface SiteReconcileReport {
  fixed: number;
  /** True when a page failed: catch-up runs the pass again, with backoff. */
  more: boolean;
  full: boolean;
  /** Why the pass was full: 'forced', 'fingerprint', 'unsynced' (a reboot cut a pass short), or undefined. */
  fullBecause?: 'forced' | 'fingerprint' | 'unsynced';
  published: number;
  rendered: number;
  written: number;
  removed: number;
  refused: number;
  failed: number;
  tempRemoved: number;
}

/** Rows read and rendered per turn of the lock: live batches get the lock between chunks. */
const CHUNK = 250;

export async function reconcileSite(deps: ReconcileDeps, opts: ReconcileOptions = {}): Promise<SiteReconcileReport> {
  const { site, rows, log } = deps;
  await site.prepare();
  const before = { ...site.stats };
  const tempRemoved = await removeTempLitter([site.settings.outDir, site.newsDir]);
  const unsynced = await findUnsyncedMarkers(site.settings.outDir);
  const fullBecause = opts.force ? 'forced' : unsynced.earlierBoot.length > 0 ? 'unsynced' : (await site.readMarker()) !== site.fingerprint() ? 'fingerprint' : undefined;
  if (fullBecause === 'unsynced') log.warn({ markers: unsynced.earlierBoot }, 'a pass was cut short by a reboot before its pages were synced: comparing every page with its row');
  const full = fullBecause !== undefined;

  const stamps = await rows.publishedStamps();
  const refusedStamps = stamps.filter((s) => !isSafeSlug(s.slug));
  for (const s of refusedStamps.slice(0, 20)) log.warn({ id: s.id, slug: s.slug }, 'published article has an unsafe slug: not rendered');
  const safe = stamps.filter((s) => isSafeSlug(s.slug));

  let todo: Stamp[] = safe;
  if (!full) {
    todo = [];
    await forEachLimit(safe, 32, async (s) => {
      const st = await stat(join(site.newsDir, `${s.slug}.html`), { bigint: true }).catch(() => undefined);
      if (!st || mtimeIsBefore(st.mtimeNs, s.updatedUs)) todo.push(s);
    });
  }

  const pass = site.pass('bulk');
  let failed = 0;
  try {
    failed = await renderStale(deps, todo, pass, opts);
    await removeOrphans(deps, new Set(safe.map((s) => s.slug)), pass);
    await deps.lock.exclusive(async () => site.writeIndex(await rows.latest(site.settings.indexSize), pass));
    // What a process that died this boot left unsynced is settled by this pass's one sync.
    if (unsynced.deadProcess.length > 0 || unsynced.earlierBoot.length > 0) pass.syncAtFinish();
  } finally {
    await pass.finish(); // even after an error: what was written is synced, and the pass's marker goes
  }
  await deps.sitemap.now(); // its own schedule: pages need not wait for 50,000 URLs
  const complete = failed === 0 && !opts.signal?.aborted;
  // Markers from an earlier boot imply a full pass: this one compared every page with its row.
  if (complete) await clearUnsyncedMarkers(unsynced);
  if (full && complete) await site.writeMarker();

  const written = site.stats.written - before.written;
  const removed = site.stats.removed - before.removed;
  return {
    fixed: written + removed + tempRemoved,
    more: failed > 0,
    full,
    fullBecause,
    published: stamps.length,
    rendered: site.stats.renders - before.renders,
    written,
    removed,
    refused: refusedStamps.length,
    failed,
    tempRemoved,
  };
}

/** Render the stale pages, a chunk per turn of the lock (live batches run between chunks); the count that failed. */
async function renderStale(deps: ReconcileDeps, todo: Stamp[], pass: WritePass, opts: ReconcileOptions): Promise<number> {
  const { site, rows, log } = deps;
  let done = 0;
  let failed = 0;
  opts.onProgress?.(0, todo.length);
  for (let i = 0; i < todo.length && !opts.signal?.aborted; i += CHUNK) {
    const ids = todo.slice(i, i + CHUNK).map((s) => s.id);
    await deps.lock.exclusive(async () => {
      const chunk = await rows.articles(ids); // read under the lock: the truth now, never older than a live batch's render
      await forEachLimit(chunk, deps.renderConcurrency, async (row) => {
        if (row.status !== 'published' || !isSafeSlug(row.slug)) return;
        try {
          await site.writeArticle(row, pass);
        } catch (err) {
          failed++;
          log.error({ id: row.id, slug: row.slug, err }, 'page not written');
        }
      });
    });
    done += ids.length;
    opts.onProgress?.(done, todo.length);
  }
  return failed;
}

/** Pages in news/ that no published article owns; checked again under the lock, so a page a live batch just published stays. */
async function removeOrphans(deps: ReconcileDeps, owned: Set<string>, pass: WritePass): Promise<void> {
  const { site, rows } = deps;
  const names = await readdir(site.newsDir).catch(() => [] as string[]);
  const orphans = names.map(slugOfFile).filter((s): s is string => s !== undefined && !owned.has(s));
  for (let i = 0; i < orphans.length; i += CHUNK) {
    const chunk = orphans.slice(i, i + CHUNK);
    await deps.lock.exclusive(async () => {
      const nowOwned = await rows.publishedSlugsAmong(chunk);
      for (const slug of chunk) if (!nowOwned.has(slug)) await site.removeArticle(slug, pass);
    });
  }
}
