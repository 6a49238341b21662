// Renders rows into pages and puts them on disk (atomically, only when the
// bytes changed). Knows nothing about pipes or batches.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import type { ArticleRow, ArticleSummary, Stamp } from '../rows.ts';
import { removeFile, syncDir, writeFileAtomic, type WriteOutcome } from './atomic-write.ts';
import { articlePath, isSafeSlug } from './slug.ts';
import type { Templates } from './templates.ts';
import { WritePass, type SyncPolicy } from './write-pass.ts';

export interface SiteSettings {
  outDir: string;
  siteUrl: string;
  siteTitle: string;
  siteDescription: string;
  lang: string;
  indexSize: number;
  sitemapMax: number;
  /** 'html': body is trusted CMS HTML, inserted as is. 'text': body is escaped and split into paragraphs. */
  bodyMode: 'html' | 'text';
  /** STATIC_FSYNC: make pages durable (write-pass.ts); false: atomic, not power-loss durable. */
  fsync: boolean;
}

export interface SiteStats {
  /** Article pages rendered (whether or not the bytes changed). */
  renders: number;
  written: number;
  unchanged: number;
  removed: number;
  indexRefreshes: number;
  sitemapRefreshes: number;
}

const MARKER = '.static-gen.json';

export class Site {
  readonly stats: SiteStats = { renders: 0, written: 0, unchanged: 0, removed: 0, indexRefreshes: 0, sitemapRefreshes: 0 };
  /** Test seam passed to every atomic write. */
  beforeRename: ((temp: string) => Promise<void>) | undefined;

  constructor(
    readonly settings: SiteSettings,
    public templates: Templates,
  ) {}

  get newsDir(): string {
    return join(this.settings.outDir, 'news');
  }

  async prepare(): Promise<void> {
    await mkdir(this.newsDir, { recursive: true });
  }

  private siteContext() {
    const s = this.settings;
    return { title: s.siteTitle, description: s.siteDescription, url: s.siteUrl.replace(/\/+$/, ''), lang: s.lang };
  }

  private bodyHtml(body: string): string {
    if (this.settings.bodyMode === 'html') return body;
    return body
      .split(/\r?\n\s*\r?\n/)
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => `<p>${Handlebars.escapeExpression(p)}</p>`)
      .join('\n');
  }

  private page(title: string, description: string, root: string, canonical: string, content: string, kind: string): string {
    const site = this.siteContext();
    const pageTitle = kind === 'index' ? site.title : `${title} · ${site.title}`;
    return this.templates.layout({ site, title, pageTitle, description, root, canonical, content, kind });
  }

  renderArticle(row: ArticleRow): string {
    const site = this.siteContext();
    const canonical = `${site.url}/news/${row.slug}.html`;
    const article = { ...row, bodyHtml: this.bodyHtml(row.body), canonical };
    const content = this.templates.article({ site, article, root: '../' });
    return this.page(row.title, row.summary, '../', canonical, content, 'article');
  }

  /**
   * A write pass for this site: 'each' for live batches, 'pass' for
   * reconcile and rebuild, both 'off' under STATIC_FSYNC=false (write-pass.ts).
   */
  pass(kind: 'live' | 'bulk'): WritePass {
    const policy: SyncPolicy = !this.settings.fsync ? 'off' : kind === 'live' ? 'each' : 'pass';
    return new WritePass(this.settings.outDir, policy);
  }

  private async write(path: string, data: string, pass: WritePass, mtimeUs?: number): Promise<WriteOutcome> {
    const outcome = await writeFileAtomic(path, data, { fsync: pass.fsyncEach, mtimeUs, beforeWrite: pass.beforeWrite, beforeRename: this.beforeRename });
    if (outcome === 'written') pass.touched(path);
    return outcome;
  }

  /** Render and write one published article; throws UnsafeSlugError for a slug outside the pattern. */
  async writeArticle(row: ArticleRow, pass: WritePass): Promise<WriteOutcome> {
    const path = articlePath(this.settings.outDir, row.slug, row.id);
    const html = this.renderArticle(row);
    this.stats.renders++;
    const outcome = await this.write(path, html, pass, row.updatedUs);
    this.stats[outcome]++;
    return outcome;
  }

  /** Remove an article page; unsafe slugs are never turned into paths (and so never existed). */
  async removeArticle(slug: string, pass: WritePass): Promise<boolean> {
    if (!isSafeSlug(slug)) return false;
    const path = articlePath(this.settings.outDir, slug);
    const removed = await removeFile(path);
    if (removed) {
      this.stats.removed++;
      pass.touched(path);
    }
    return removed;
  }

  async writeIndex(latest: ArticleSummary[], pass: WritePass): Promise<WriteOutcome> {
    const site = this.siteContext();
    const safe = latest.filter((a) => isSafeSlug(a.slug));
    const content = this.templates.index({ site, articles: safe, root: '' });
    const html = this.page(site.title, site.description, '', `${site.url}/`, content, 'index');
    const outcome = await this.write(join(this.settings.outDir, 'index.html'), html, pass);
    this.stats.indexRefreshes++;
    return outcome;
  }

  async writeSitemap(entries: Stamp[], pass: WritePass): Promise<WriteOutcome> {
    const site = this.siteContext();
    const urls = entries.filter((e) => isSafeSlug(e.slug)).map((e) => ({ loc: `${site.url}/news/${e.slug}.html`, updatedUs: e.updatedUs }));
    const homeUpdatedUs = entries.reduce<number | undefined>((m, e) => (m === undefined || e.updatedUs > m ? e.updatedUs : m), undefined);
    const xml = this.templates.sitemap({ site, urls, home: `${site.url}/`, homeUpdatedUs });
    const outcome = await this.write(join(this.settings.outDir, 'sitemap.xml'), xml, pass);
    this.stats.sitemapRefreshes++;
    return outcome;
  }

  /** Everything besides a row that shapes a page: when it changes, every page must be rendered again. */
  fingerprint(): string {
    const { fsync: _fsync, indexSize: _n, sitemapMax: _m, ...shaping } = this.settings;
    return createHash('sha256').update(this.templates.hash).update(JSON.stringify(shaping)).digest('hex');
  }

  async readMarker(): Promise<string | undefined> {
    try {
      return (JSON.parse(await readFile(join(this.settings.outDir, MARKER), 'utf8')) as { fingerprint?: string }).fingerprint;
    } catch {
      return undefined;
    }
  }

  /** Record that every page matches the current fingerprint: only after a full pass whose pages are durable. */
  async writeMarker(): Promise<void> {
    const data = `${JSON.stringify({ fingerprint: this.fingerprint(), note: 'static-gen: a different fingerprint re-renders every page' })}\n`;
    const path = join(this.settings.outDir, MARKER);
    if ((await writeFileAtomic(path, data, { fsync: this.settings.fsync })) === 'written' && this.settings.fsync) await syncDir(this.settings.outDir);
  }
}
