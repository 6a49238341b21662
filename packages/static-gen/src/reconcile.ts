// Level-triggered repair of the output folder, and the full rebuild.
//
// Normal pass (at start and every DBFIFO_RECONCILE_INTERVAL_MS): render every
// published article whose page is missing or older than its row (a page's
// mtime is set to its row's updated_at when written), remove orphan pages,
// drop temp files left by a crashed writer, refresh index and sitemap.
// When the templates or the settings that shape pages changed since the last
// full pass (fingerprint in .static-gen.json), or `force` is set (the rebuild
// command), every published article is rendered; unchanged bytes are still
// not rewritten.
import { forEachLimit, type Logger } from '@dbfifo/fifo-core';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pool } from 'mysql2/promise';
import { TEMP_FILE, mtimeIsBefore, removeFile } from './atomic-write.ts';
import { fetchArticles, publishedSlugsAmong, publishedStamps, type Stamp } from './db.ts';
import type { Mutex } from './mutex.ts';
import type { Site } from './site.ts';
import { isSafeSlug, slugOfFile } from './slug.ts';

export interface ReconcileDeps {
  pool: Pool;
  site: Site;
  lock: Mutex;
  log: Logger;
  renderConcurrency: number;
  refreshIndexPage(): Promise<void>;
  refreshSitemap(): Promise<void>;
}

export interface ReconcileOptions {
  force?: boolean;
  signal?: AbortSignal;
  /** Called as pages are rendered: done of total. */
  onProgress?(done: number, total: number): void;
}

export interface SiteReconcileReport {
  fixed: number;
  full: boolean;
  published: number;
  rendered: number;
  written: number;
  removed: number;
  refused: number;
  failed: number;
  tempRemoved: number;
}

const CHUNK = 250;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Temp files whose writer is gone (crashed between write and rename). Another live process's temp files are left alone. */
export async function removeTempLitter(dirs: string[]): Promise<number> {
  let removed = 0;
  for (const dir of dirs) {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const m = TEMP_FILE.exec(name);
      if (m && !pidAlive(Number(m[2])) && (await removeFile(join(dir, name)))) removed++;
    }
  }
  return removed;
}

export async function reconcileSite(deps: ReconcileDeps, opts: ReconcileOptions = {}): Promise<SiteReconcileReport> {
  const { site, pool, log } = deps;
  await site.prepare();
  const before = { ...site.stats };
  const tempRemoved = await removeTempLitter([site.settings.outDir, site.newsDir]);
  const full = opts.force === true || (await site.readMarker()) !== site.fingerprint();

  const stamps = await publishedStamps(pool);
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

  let done = 0;
  let failed = 0;
  opts.onProgress?.(0, todo.length);
  for (let i = 0; i < todo.length && !opts.signal?.aborted; i += CHUNK) {
    const ids = todo.slice(i, i + CHUNK).map((s) => s.id);
    await deps.lock.run(async () => {
      const rows = await fetchArticles(pool, ids); // re-read under the lock: the truth now, not when the pass began
      await forEachLimit(rows, deps.renderConcurrency, async (row) => {
        if (row.status !== 'published' || !isSafeSlug(row.slug)) return;
        try {
          await site.writeArticle(row);
        } catch (err) {
          failed++;
          log.error({ id: row.id, slug: row.slug, err }, 'page not written');
        }
      });
    });
    done += ids.length;
    opts.onProgress?.(done, todo.length);
  }

  // Orphans: pages in news/ that no published article owns. Checked again
  // under the lock, so a page a live batch just published is never removed.
  const owned = new Set(safe.map((s) => s.slug));
  const names = await readdir(site.newsDir).catch(() => [] as string[]);
  const orphans = names.map(slugOfFile).filter((s): s is string => s !== undefined && !owned.has(s));
  for (let i = 0; i < orphans.length; i += CHUNK) {
    const chunk = orphans.slice(i, i + CHUNK);
    await deps.lock.run(async () => {
      const nowOwned = await publishedSlugsAmong(pool, chunk);
      for (const slug of chunk) if (!nowOwned.has(slug)) await site.removeArticle(slug);
    });
  }

  await deps.lock.run(() => deps.refreshIndexPage());
  await deps.refreshSitemap(); // its own lock: pages need not wait for 50,000 URLs
  if (full && failed === 0 && !opts.signal?.aborted) await site.writeMarker();

  const written = site.stats.written - before.written;
  const removed = site.stats.removed - before.removed;
  return {
    fixed: written + removed + tempRemoved,
    full,
    published: stamps.length,
    rendered: site.stats.renders - before.renders,
    written,
    removed,
    refused: refusedStamps.length,
    failed,
    tempRemoved,
  };
}
