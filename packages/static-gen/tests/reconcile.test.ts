// Level-triggered repair: what a missed doorbell, a crashed writer or a stray
// file leaves behind is put right by reconcile() and the rebuild command.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat, truncate, utimes, writeFile } from 'node:fs/promises';
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
    await t.settled();

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

  it('after a power loss cut a pass short, the next reconcile rewrites the empty and truncated pages it left', async () => {
    await t.settled();
    // A pass still running (reconcileNow joins it) may be the start's full one: let it end, and record its fingerprint.
    await t.running.reconcileNow();
    const keep = join(t.outDir, 'news', 'keep.html');
    const edit = join(t.outDir, 'news', 'edit-me.html');
    const [keepBytes, editBytes] = [await readFile(keep, 'utf8'), await readFile(edit, 'utf8')];
    // The page's mtime to the µs (its row's updated_at): a Date would round it down to the ms, older than the row.
    const mtime = Number((await stat(keep, { bigint: true })).mtimeNs) / 1e9;
    // What a rename without fsync can leave: the name and mtime made it to disk, the bytes did not (all or in part).
    await truncate(keep, 0);
    await truncate(edit, 100);
    await utimes(keep, new Date(), mtime);
    await utimes(edit, new Date(), mtime);
    await t.running.reconcileNow();
    expect(await readFile(keep, 'utf8')).toBe(''); // nothing tells a normal pass: mtimes say "up to date"

    const marker = join(t.outDir, '.static-gen.unsynced.4242.0123456789ab');
    await writeFile(marker, JSON.stringify({ boot: 'the-boot-before-the-power-loss', pid: 4242 }));
    await t.running.reconcileNow();
    expect(await readFile(keep, 'utf8')).toBe(keepBytes);
    expect(await readFile(edit, 'utf8')).toBe(editBytes);
    expect(existsSync(marker)).toBe(false);
    expect(t.logs.some((l) => String(l.msg).includes('cut short by a reboot'))).toBe(true);
  });

  it('the rebuild command renders every page, removes orphans and reports progress', async () => {
    // a page with the right mtime but wrong bytes: only a full rebuild notices
    const page = join(t.outDir, 'news', 'keep.html');
    const original = await readFile(page, 'utf8');
    await writeFile(page, 'tampered');
    await utimes(page, new Date(), new Date(Date.now() + 3600_000));
    await writeFile(join(t.outDir, 'news', 'another-orphan.html'), 'x');

    const cli = fileURLToPath(new URL('../src/rebuild-main.ts', import.meta.url));
    const { stderr } = await run(process.execPath, ['--import', 'tsx', cli], { env: { ...process.env, ...t.env, LOG_LEVEL: 'warn' } });
    expect(stderr).toMatch(/rebuild: 3\/3 \(100\.0%\)/);
    expect(stderr).toMatch(/rebuild: 3 rendered, 1 written, 2 unchanged, 1 orphans removed, 0 refused \(unsafe slug\), 0 failed/);
    expect(await readFile(page, 'utf8')).toBe(original);
    expect(await t.page('another-orphan')).toBeUndefined();
  });
});
