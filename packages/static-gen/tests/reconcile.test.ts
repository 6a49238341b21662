// Level-triggered repair: what a missed doorbell, a crashed writer or a stray
// file leaves behind is put right by reconcile() and the rebuild command.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ResultSetHeader } from 'mysql2/promise';
import { waitFor } from '@dbfifo/test-utils';
import { PUBLISH, startTestSite, type TestSite } from './helpers.ts';

const run = promisify(execFile);
let t: TestSite;
beforeAll(async () => {
  t = await startTestSite();
});
afterAll(async () => {
  await t?.close();
});

async function publish(slug: string, title: string): Promise<number> {
  const [r] = await t.sql.query<ResultSetHeader>(PUBLISH, [slug, title, 'S', '<p>B</p>', 'A']);
  return r.insertId;
}

describe('reconcile', () => {
  it('catches up on everything that changed while the worker was down', async () => {
    await publish('keep', 'Keep');
    const edit = await publish('edit-me', 'Before');
    const gone = await publish('gone', 'Gone');
    await waitFor(async () => (await t.page('keep')) && (await t.page('edit-me')) && (await t.page('gone')));
    await t.worker.drain();

    await t.stopWorker();
    await t.sql.query(`UPDATE news SET title = 'After' WHERE id = ?`, [edit]);
    await t.sql.query(`DELETE FROM news WHERE id = ?`, [gone]);
    await publish('while-down', 'Written while the worker was down');
    await writeFile(join(t.outDir, 'news', 'orphan.html'), 'left from an old deploy');
    await writeFile(join(t.outDir, 'news', '.keep.html.999999.0123456789ab.tmp'), 'crashed writer');
    await writeFile(join(t.outDir, 'news', 'NOT-OURS.txt'), 'someone else');

    await t.startWorker();
    await t.running.reconcileNow();
    expect(await t.page('edit-me')).toContain('<h1>After</h1>');
    expect(await t.page('while-down')).toContain('Written while the worker was down');
    expect(await t.page('gone')).toBeUndefined();
    expect(await t.page('orphan')).toBeUndefined();
    expect(await t.page('keep')).toContain('Keep');
    expect(await t.files()).toEqual(['.static-gen.json', 'index.html', 'news/NOT-OURS.txt', 'news/edit-me.html', 'news/keep.html', 'news/while-down.html', 'sitemap.xml']);
    expect(await readFile(join(t.outDir, 'index.html'), 'utf8')).toContain('while-down.html');
  });

  it('a quiet reconcile rewrites nothing', async () => {
    await t.running.reconcileNow();
    const before = { ...t.worker.app!.site.stats };
    await t.running.reconcileNow();
    expect(t.worker.app!.site.stats.written).toBe(before.written);
    expect(t.worker.app!.site.stats.renders).toBe(before.renders);
  });

  it('the rebuild command renders every page, removes orphans and reports progress', async () => {
    // a page with the right mtime but wrong bytes: only a full rebuild notices
    const page = join(t.outDir, 'news', 'keep.html');
    const original = await readFile(page, 'utf8');
    await writeFile(page, 'tampered');
    await utimes(page, new Date(), new Date(Date.now() + 3600_000));
    await writeFile(join(t.outDir, 'news', 'another-orphan.html'), 'x');

    const cli = fileURLToPath(new URL('../src/rebuild-cli.ts', import.meta.url));
    const { stderr } = await run(process.execPath, ['--import', 'tsx', cli], { env: { ...process.env, ...t.env, LOG_LEVEL: 'warn' } });
    expect(stderr).toMatch(/rebuild: 3\/3 \(100\.0%\)/);
    expect(stderr).toMatch(/rebuild: 3 rendered, 1 written, 2 unchanged, 1 orphans removed, 0 refused \(unsafe slug\), 0 failed/);
    expect(await readFile(page, 'utf8')).toBe(original);
    expect(await t.page('another-orphan')).toBeUndefined();
  });
});
