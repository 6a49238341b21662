// Edits in MariaDB → pages on disk, through the real triggers, pipe and runtime.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResultSetHeader } from 'mysql2/promise';
import { waitFor } from '@dbfifo/test-utils';
import { PUBLISH, startTestSite, type TestSite } from './helpers.ts';

let t: TestSite;
beforeAll(async () => {
  t = await startTestSite();
});
afterAll(async () => {
  await t?.close();
});

async function publish(slug: string, title: string, body = '<p>Body text.</p>'): Promise<number> {
  const [r] = await t.sql.query<ResultSetHeader>(PUBLISH, [slug, title, 'A summary.', body, 'Grace Hopper']);
  return r.insertId;
}
const index = () => readFile(join(t.outDir, 'index.html'), 'utf8');
const sitemap = () => readFile(join(t.outDir, 'sitemap.xml'), 'utf8');

describe('pages follow the news table', () => {
  it('insert publishes a page, lists it on the index and in the sitemap', async () => {
    await publish('first-story', 'First story');
    const html = await waitFor(() => t.page('first-story'), { message: 'news/first-story.html' });
    expect(html).toContain('<h1>First story</h1>');
    expect(html).toContain('<p>Body text.</p>');
    expect(html).toContain('By Grace Hopper');
    await waitFor(async () => (await index()).includes('href="news/first-story.html"'), { message: 'index lists first-story' });
    await waitFor(async () => (await sitemap()).includes('<loc>http://localhost:8080/news/first-story.html</loc>'), { message: 'sitemap lists first-story' });
  });

  it('a draft gets no page', async () => {
    await t.sql.query(`INSERT INTO news (slug, title, status) VALUES ('secret-draft', 'Not yet', 'draft')`);
    await publish('after-draft', 'After the draft');
    await waitFor(() => t.page('after-draft'), { message: 'after-draft page' });
    expect(await t.page('secret-draft')).toBeUndefined();
  });

  it('update re-renders; a slug change removes the old page', async () => {
    const id = await publish('old-name', 'Old title');
    await waitFor(() => t.page('old-name'));
    await t.sql.query(`UPDATE news SET title = 'New title' WHERE id = ?`, [id]);
    await waitFor(async () => (await t.page('old-name'))?.includes('<h1>New title</h1>'), { message: 'new title on page' });
    await t.sql.query(`UPDATE news SET slug = 'new-name' WHERE id = ?`, [id]);
    await waitFor(async () => (await t.page('new-name'))?.includes('New title') && (await t.page('old-name')) === undefined, { message: 'page moved to new-name' });
    await waitFor(async () => !(await index()).includes('old-name.html') && (await index()).includes('new-name.html'), { message: 'index follows the rename' });
  });

  it('unpublish removes the page and the index entry; delete removes the page', async () => {
    const a = await publish('to-unpublish', 'Going away');
    const b = await publish('to-delete', 'Deleted soon');
    await waitFor(async () => (await t.page('to-unpublish')) && (await t.page('to-delete')));
    await t.sql.query(`UPDATE news SET status = 'draft' WHERE id = ?`, [a]);
    await t.sql.query(`DELETE FROM news WHERE id = ?`, [b]);
    await waitFor(async () => (await t.page('to-unpublish')) === undefined && (await t.page('to-delete')) === undefined, { message: 'both pages gone' });
    await waitFor(async () => !(await index()).includes('to-unpublish') && !(await sitemap()).includes('to-delete'), { message: 'index and sitemap updated' });
  });

  it('escapes every field but the body', async () => {
    await t.sql.query(PUBLISH, ['xss', '<script>alert("t")</script>', '<img src=x onerror=alert(1)>', '<p><strong>trusted</strong> body</p>', '<b>me</b>']);
    const html = await waitFor(() => t.page('xss'));
    expect(html).toContain('&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('By &lt;b&gt;me&lt;/b&gt;');
    expect(html).toContain('<p><strong>trusted</strong> body</p>');
    await waitFor(async () => (await index()).includes('&lt;script&gt;'));
    expect(await index()).not.toContain('<script>alert');
  });

  it('100 rapid edits of one article: final content on disk, far fewer renders', async () => {
    const id = await publish('busy', 'Edit 0');
    await waitFor(async () => (await t.page('busy'))?.includes('Edit 0'));
    await t.settled();
    const before = { ...t.worker.app!.site.stats };
    for (let i = 1; i <= 100; i++) await t.sql.query(`UPDATE news SET title = ? WHERE id = ?`, [`Edit ${i}`, id]);
    await waitFor(async () => (await t.page('busy'))?.includes('<h1>Edit 100</h1>'), { message: 'final edit on disk' });
    await t.settled();
    const renders = t.worker.app!.site.stats.renders - before.renders;
    const indexRefreshes = t.worker.app!.site.stats.indexRefreshes - before.indexRefreshes;
    const sitemapRefreshes = t.worker.app!.site.stats.sitemapRefreshes - before.sitemapRefreshes;
    console.log(`100 edits → ${renders} renders, ${indexRefreshes} index refreshes, ${sitemapRefreshes} sitemap refreshes`);
    expect(sitemapRefreshes).toBeLessThanOrEqual(indexRefreshes);
    expect(renders).toBeGreaterThanOrEqual(1);
    expect(renders).toBeLessThanOrEqual(20);
    expect(indexRefreshes).toBeLessThanOrEqual(20);
  });

  it('a rolled-back edit changes nothing on disk', async () => {
    const id = await publish('steady', 'Steady title');
    await waitFor(() => t.page('steady'));
    await t.settled();
    const page = join(t.outDir, 'news', 'steady.html');
    const before = await stat(page, { bigint: true });
    const indexBefore = await stat(join(t.outDir, 'index.html'), { bigint: true });
    const rolledBackEdits = t.worker.app!.batchStats.rolledBack;
    const rolledBack = t.running.metrics.rolledBack;
    await t.sql.beginTransaction();
    await t.sql.query(`UPDATE news SET title = 'Never happened' WHERE id = ?`, [id]);
    await t.sql.query(PUBLISH, ['ghost-insert', 'Ghost', '', '', '']);
    await t.sql.rollback();
    await waitFor(() => t.running.metrics.rolledBack >= rolledBack + 2, { message: 'fifo-core counted both lines as rolled back' });
    expect(t.worker.app!.batchStats.rolledBack).toBe(rolledBackEdits + 2);
    await t.settled();
    const after = await stat(page, { bigint: true });
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeNs).toBe(before.mtimeNs);
    expect(await t.page('steady')).toContain('Steady title');
    expect(await t.page('ghost-insert')).toBeUndefined();
    expect((await stat(join(t.outDir, 'index.html'), { bigint: true })).mtimeNs).toBe(indexBefore.mtimeNs);
  });

  it('an edit whose transaction outlasts STATIC_ROW_WAIT_MS still reaches its page once it commits', async () => {
    const id = await publish('slow-commit', 'Before the long transaction');
    await waitFor(() => t.page('slow-commit'));
    await t.sql.beginTransaction();
    await t.sql.query(`UPDATE news SET title = 'Committed late' WHERE id = ?`, [id]);
    await new Promise((r) => setTimeout(r, 3 * Number(t.env.STATIC_ROW_WAIT_MS))); // the doorbell's commit-wait runs out meanwhile
    await t.sql.commit();
    await waitFor(async () => (await t.page('slow-commit'))?.includes('<h1>Committed late</h1>'), { timeoutMs: 15_000, message: 'the late edit on its page' });
    expect(t.worker.app!.batchStats.notCommitted).toBeGreaterThanOrEqual(1);
  });

  it('refuses unsafe slugs with a clear error and writes nothing outside the folder', async () => {
    const bad = ['../../etc/passwd', 'a/b', '..', 'ｅｔｃ', 'caf\u00e9', '..\u2215x', 'UPPER'];
    const filesBefore = await t.files();
    const failedBefore = t.running.metrics.failed;
    for (const slug of bad) await publish(slug, `Bad ${slug}`);
    await waitFor(() => t.running.metrics.failed >= failedBefore + bad.length, { message: 'every unsafe slug refused' });
    const refusals = t.logs.filter((l) => JSON.stringify(l).includes('refusing slug'));
    expect(refusals.length).toBeGreaterThanOrEqual(bad.length);
    expect(JSON.stringify(refusals)).toContain('a slug must match');
    await t.settled();
    const added = (await t.files()).filter((f) => !filesBefore.includes(f));
    expect(added).toEqual([]);
  });
});
