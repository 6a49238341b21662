import { beforeEach, describe, expect, it } from 'vitest';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@dbfifo/test-utils';
import { DEFAULT_TEMPLATES_DIR } from '../config.ts';
import type { ArticleRow } from '../rows.ts';
import { Site } from './site.ts';
import { Templates } from './templates.ts';
import { findUnsyncedMarkers } from './write-pass.ts';

let out: string;
beforeEach(() => {
  out = tempDir('static-gen-pass-');
});

const row = (id: number): ArticleRow => ({
  id, slug: `page-${id}`, title: `Page ${id}`, summary: '', body: '<p>b</p>', author: '', status: 'published',
  publishedUs: 1_700_000_000_000_000, updatedUs: 1_700_000_000_000_000 + id, version: 1,
});

async function site(fsync: boolean): Promise<Site> {
  const s = new Site({ outDir: out, siteUrl: 'http://x', siteTitle: 't', siteDescription: 'd', lang: 'en', indexSize: 5, sitemapMax: 5, bodyMode: 'html', fsync }, await Templates.load(DEFAULT_TEMPLATES_DIR));
  await s.prepare();
  return s;
}

const markers = async () => (await readdir(out)).filter((n) => n.startsWith('.static-gen.unsynced.'));

describe('a bulk pass (reconcile, rebuild)', () => {
  it('is marked unsynced on disk before its first page is renamed into place, and unmarked after its one sync', async () => {
    const s = await site(true);
    const seen: string[][] = [];
    s.beforeRename = async () => void seen.push(await markers());
    const pass = s.pass('bulk');
    for (let id = 1; id <= 3; id++) await s.writeArticle(row(id), pass);
    expect(seen).toHaveLength(3);
    for (const m of seen) expect(m).toHaveLength(1);
    const marker = JSON.parse(await readFile(join(out, seen[0]![0]!), 'utf8')) as { boot: string; pid: number };
    expect(marker.pid).toBe(process.pid);
    expect(marker.boot).toBe((await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim());
    await pass.finish();
    expect(await markers()).toEqual([]);
  });

  it('leaves no marker when it writes nothing, and none at all with STATIC_FSYNC=false', async () => {
    const s = await site(true);
    let pass = s.pass('bulk');
    await s.writeArticle(row(1), pass);
    await pass.finish();
    pass = s.pass('bulk');
    s.beforeRename = async () => expect.unreachable('unchanged bytes are not rewritten');
    await s.writeArticle(row(1), pass); // same bytes
    expect(await markers()).toEqual([]);
    await pass.finish();

    const off = await site(false);
    off.beforeRename = async () => void expect(await markers()).toEqual([]);
    const p = off.pass('bulk');
    await off.writeArticle(row(2), p);
    await p.finish();
  });
});

describe('markers found later', () => {
  it('tells a pass cut short by a reboot from one whose process died in this boot, and leaves a running pass alone', async () => {
    const boot = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    const put = (name: string, m: object) => writeFile(join(out, `.static-gen.unsynced.${name}`), JSON.stringify(m));
    await put('1.aaaaaaaaaaaa', { boot: 'an-earlier-boot', pid: 1 });
    await put('2.bbbbbbbbbbbb', { boot, pid: 2 ** 22 + 1 }); // above pid_max: no such process
    await put('3.cccccccccccc', { boot, pid: process.ppid }); // a live process of this boot
    await put('4.dddddddddddd', {}); // unreadable: treated as the worst case
    const found = await findUnsyncedMarkers(out);
    expect(found.earlierBoot.map((p) => p.slice(-14)).sort()).toEqual(['1.aaaaaaaaaaaa', '4.dddddddddddd']);
    expect(found.deadProcess.map((p) => p.slice(-14))).toEqual(['2.bbbbbbbbbbbb']);
  });
});
