// static-gen benchmark (npm run bench -w @dbfifo/static-gen).
//   STATIC_BENCH_ARTICLES   rows for the full rebuild (default 100000; generated with seq_1_to_N)
//   STATIC_BENCH_SINGLE     single-article regenerations measured (default 2000)
//   STATIC_BENCH_STACK      tools/stack instance to use (default main; a private one, e.g.
//                           STACK_NAME=static-gen tools/stack up, is immune to others restarting main)
// Measures, against the local stack's MariaDB and a temp folder:
//   1. single-article regeneration: DB read + render + atomic write (fsync on and off),
//      and the no-op case (bytes unchanged: read + render + compare);
//   2. one edit through the batch path (page + index + sitemap) at N rows;
//   3. a full rebuild of N articles (empty folder), then again with nothing changed.
// Prints every figure as JSON, and rewrites the sections of 1. and 3. between their
// `<!-- bench:static-gen-single -->` / `<!-- bench:static-gen-rebuild -->` markers in
// docs/bench/static-gen.md (STATIC_BENCH_OUT to write elsewhere; bench/report.ts renders them).
// The rest of that file is written by hand and kept.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { benchInt, benchString, connect, loadSqlFile, repoRoot, stackEnv, urlForDatabase, tempDir } from '@dbfifo/test-utils';
import { loadStaticConfig } from '../src/config.ts';
import { openStaticApp, type StaticApp } from '../src/pages/app.ts';
import { NEW_DOC, updateDoc, type StaticGenResults } from './report.ts';

const N = benchInt('STATIC_BENCH_ARTICLES', 100_000);
const SINGLE = benchInt('STATIC_BENCH_SINGLE', 2000);
const OUT = benchString('STATIC_BENCH_OUT', join(repoRoot, 'docs/bench/static-gen.md'));

function stats(samplesNs: bigint[]) {
  const ms = samplesNs.map((n) => Number(n) / 1e6).sort((a, b) => a - b);
  const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!;
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  return { n: ms.length, medianMs: q(0.5), p99Ms: q(0.99), meanMs: mean, perSec: 1000 / mean };
}

const stack = stackEnv(benchString('STATIC_BENCH_STACK', 'main'));
const run = promisify(execFile);
const rootSql = (q: string) => run(stack.mariadbClient, ['--no-defaults', `--socket=${stack.mysqlSocket}`, '-uroot', '-e', q]);
const work = tempDir('static-gen-bench-');
const schema = (await readFile(join(repoRoot, 'sql/static/schema.sql'), 'utf8')).replaceAll(`fifo_write('static',`, `fifo_write('static-bench-nobody',`);
await writeFile(join(work, 'schema.sql'), schema);
const dbName = `static_bench_${process.pid}`;
await rootSql(`CREATE DATABASE \`${dbName}\``);
await loadSqlFile(stack, dbName, join(work, 'schema.sql'));
const db = { url: urlForDatabase(stack, dbName), drop: () => rootSql(`DROP DATABASE IF EXISTS \`${dbName}\``) };
const sql = await connect(db.url);
const log = pino({ level: 'warn' });
const results: StaticGenResults = { stack: stack.stackName, articles: N, single: SINGLE, cpus: cpus().length, loadavgAtStart: loadavg().map((l) => l.toFixed(1)).join(' ') };

async function app(fsync: boolean, outDir: string): Promise<StaticApp> {
  const config = loadStaticConfig({ DATABASE_URL: db.url, DBFIFO_PIPE_DIR: stack.pipeDir, STATIC_OUT_DIR: outDir, STATIC_FSYNC: String(fsync), STATIC_SITEMAP_DELAY_MS: '0', LOG_LEVEL: 'warn' });
  results.renderConcurrency = config.static.renderConcurrency;
  return openStaticApp(config, log);
}

try {
  let t0 = process.hrtime.bigint();
  await sql.query(`INSERT INTO news (slug, title, summary, body, author, status, published_at)
    SELECT CONCAT('article-', seq), CONCAT('Article number ', seq, ': a headline of ordinary length'),
           'A one-sentence summary that says what the article is about, as a reader sees on the index.',
           REPEAT('<p>Paragraph of body text with <em>some</em> markup, long enough to look like a real news article paragraph of a few lines.</p>\n', 8),
           'Bench Author', 'published', NOW(6) - INTERVAL seq SECOND
    FROM seq_1_to_${N}`);
  results.seedSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  // 1. single-article regeneration
  for (const fsync of [true, false]) {
    const a = await app(fsync, join(work, `single-${fsync}`));
    const id = Math.ceil(N / 2);
    const changed: bigint[] = [];
    const unchanged: bigint[] = [];
    for (let i = 0; i < SINGLE; i++) {
      await sql.query(`UPDATE news SET title = ? WHERE id = ?`, [`Edited headline ${i}`, id]); // not timed: the CMS's write
      let s = process.hrtime.bigint();
      const row = await a.rows.article(id);
      let pass = a.site.pass('live'); // a live batch's durability: fsync the page, then its folder
      if ((await a.site.writeArticle(row!, pass)) !== 'written' && i > 0) throw new Error('expected a write');
      await pass.finish();
      changed.push(process.hrtime.bigint() - s);
      s = process.hrtime.bigint();
      const again = await a.rows.article(id);
      pass = a.site.pass('live');
      await a.site.writeArticle(again!, pass);
      await pass.finish();
      unchanged.push(process.hrtime.bigint() - s);
    }
    results[`single_fsync_${fsync}`] = stats(changed.slice(10));
    console.error(`single fsync=${fsync} done`);
    results[`single_unchanged_fsync_${fsync}`] = stats(unchanged.slice(10));
    await a.close();
  }

  // 2. one edit through the batch path: page + index.html (what a line awaits), then the
  //    sitemap refresh that follows a burst (up to 50,000 of N rows), timed on its own
  {
    const a = await app(true, join(work, 'batch'));
    const samples: bigint[] = [];
    const sitemapSamples: bigint[] = [];
    const id = Math.ceil(N / 3);
    for (let i = 0; i < 30; i++) {
      const [r] = await sql.query(`UPDATE news SET title = ? WHERE id = ?`, [`Batch edit ${i}`, id]);
      void r;
      const [[v]] = (await sql.query(`SELECT version FROM news WHERE id = ?`, [id])) as unknown as [[{ version: number }]];
      const s = process.hrtime.bigint();
      const [err] = await a.renderBatch([{ op: 'update', id, version: v.version, staleSlugs: [] }]);
      if (err) throw err;
      samples.push(process.hrtime.bigint() - s);
      const s2 = process.hrtime.bigint();
      await a.drain(); // the scheduled sitemap refresh (its delay is 0 here)
      sitemapSamples.push(process.hrtime.bigint() - s2);
    }
    results.batch_one_edit_page_and_index = stats(samples.slice(3));
    results.sitemap_refresh = stats(sitemapSamples.slice(3));
    await a.close();
  }

  // 3. full rebuild
  for (const fsync of [true, false]) {
    const a = await app(fsync, join(work, `full-${fsync}`));
    t0 = process.hrtime.bigint();
    const first = await a.reconcile({ force: true });
    const firstS = Number(process.hrtime.bigint() - t0) / 1e9;
    t0 = process.hrtime.bigint();
    const second = await a.reconcile({ force: true });
    const secondS = Number(process.hrtime.bigint() - t0) / 1e9;
    t0 = process.hrtime.bigint();
    const quiet = await a.reconcile();
    const quietS = Number(process.hrtime.bigint() - t0) / 1e9;
    console.error(`rebuild fsync=${fsync}: ${firstS.toFixed(1)} s`);
    results[`rebuild_fsync_${fsync}`] = {
      seconds: firstS, pagesPerSec: first.written / firstS, written: first.written,
      againAllUnchangedSeconds: secondS, againWritten: second.written,
      quietReconcileSeconds: quietS, quietRendered: quiet.rendered,
    };
    await a.close();
    await rm(join(work, `full-${fsync}`), { recursive: true, force: true });
  }
  results.loadavgAtEnd = loadavg().map((l) => l.toFixed(1)).join(' ');
  results.date = new Date().toISOString().slice(0, 10);
  console.log(JSON.stringify(results, null, 2));
  await writeFile(OUT, updateDoc(await readFile(OUT, 'utf8').catch(() => NEW_DOC), results));
  console.error(`wrote the single-article and rebuild sections of ${OUT}; its other sections (what was run, batch path, raw output) are written by hand`);
} catch (err) {
  console.error('benchmark failed:', err);
  console.error('partial results:', JSON.stringify(results, null, 2));
  process.exitCode = 1;
} finally {
  await sql.end();
  await db.drop();
}
