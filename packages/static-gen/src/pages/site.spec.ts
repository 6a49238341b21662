import { beforeEach, describe, expect, it } from 'vitest';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_TEMPLATES_DIR } from '../config.ts';
import type { ArticleRow } from '../rows.ts';
import { Site, type SiteSettings } from './site.ts';
import { Templates } from './templates.ts';
import { tempDir } from '@dbfifo/test-utils';

let out: string;
beforeEach(async () => {
  out = tempDir('static-gen-site-');
});

const settings = (o: Partial<SiteSettings> = {}): SiteSettings => ({
  outDir: out, siteUrl: 'https://news.example/', siteTitle: 'Example & Co', siteDescription: 'd', lang: 'en',
  indexSize: 10, sitemapMax: 10, bodyMode: 'html', fsync: false, ...o,
});
const row = (o: Partial<ArticleRow> = {}): ArticleRow => ({
  id: 1, slug: 'one', title: 'One', summary: 's', body: '<p>b</p>', author: 'a', status: 'published',
  publishedUs: Date.UTC(2025, 2, 4) * 1000, updatedUs: Date.UTC(2025, 2, 5) * 1000, version: 1, ...o,
});

describe('Site', () => {
  it('renders the body as trusted HTML by default, escaped in text mode', async () => {
    const t = await Templates.load(DEFAULT_TEMPLATES_DIR);
    const body = '<p>Hi</p>\n\n<script>x()</script>';
    expect(new Site(settings(), t).renderArticle(row({ body }))).toContain('<script>x()</script>');
    const text = new Site(settings({ bodyMode: 'text' }), t).renderArticle(row({ body }));
    expect(text).toContain('<p>&lt;p&gt;Hi&lt;/p&gt;</p>\n<p>&lt;script&gt;x()&lt;/script&gt;</p>');
  });

  it('does not evaluate template syntax inside data and shows dates', async () => {
    const html = new Site(settings(), await Templates.load(DEFAULT_TEMPLATES_DIR)).renderArticle(row({ title: '{{site.url}} {{{content}}}' }));
    expect(html).toContain('<h1>{{site.url}} {{{content}}}</h1>');
    expect(html).toContain('<time datetime="2025-03-04T00:00:00.000Z">4 March 2025</time>');
    expect(html).toContain('<link rel="canonical" href="https://news.example/news/one.html">');
  });

  it('writes a sitemap with absolute URLs and lastmod, skipping unsafe slugs', async () => {
    const site = new Site(settings(), await Templates.load(DEFAULT_TEMPLATES_DIR));
    await site.prepare();
    const pass = site.pass('live');
    await site.writeIndex([row()], pass);
    await site.writeSitemap([{ id: 1, slug: 'one', updatedUs: row().updatedUs }, { id: 2, slug: '../x', updatedUs: 0 }], pass);
    await pass.finish();
    const xml = await readFile(join(out, 'sitemap.xml'), 'utf8');
    expect(xml).toContain('<url><loc>https://news.example/news/one.html</loc><lastmod>2025-03-05T00:00:00.000Z</lastmod></url>');
    expect(xml).not.toContain('../x');
    expect(await readFile(join(out, 'index.html'), 'utf8')).toContain('<title>Example &amp; Co</title>');
  });

  it('names a partial with a syntax error at load, even one used only inside a loop', async () => {
    await cp(DEFAULT_TEMPLATES_DIR, out, { recursive: true });
    await writeFile(join(out, 'partials', 'article-card.hbs'), '<li>{{#each}}</li>');
    await expect(Templates.load(out)).rejects.toThrow(/partials\/article-card\.hbs: Parse error/);
  });

  it('names a missing template file at load', async () => {
    await expect(Templates.load(out)).rejects.toThrow(/has no layout\.hbs/);
  });
});
