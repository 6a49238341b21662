// The static-gen worker: a line on the `static` pipe rings for a news row;
// the page for that row (and the index and sitemap) is brought in line with it.
//
// How this meets fifo-core's contract: the key is the article, so pending
// doorbells of one article merge (their stale slugs united, the highest
// version kept) and are never rendered twice at once or out of order; the
// runtime hands what is pending to handleBatch, which renders it as one pass
// (pages/render-batch.ts). A burst gathers for DBFIFO_BATCH_LINGER_MS (50 ms
// here); while a batch renders, newer doorbells merge into the next one.
import type { FSWatcher } from 'node:fs';
import type { BatchWorkerDefinition } from '@dbfifo/fifo-core';
import { WORKER_NAME, type StaticConfig } from './config.ts';
import { mergeNewsLines, newsKey, parseNewsLine, type NewsLine } from './line.ts';
import { openStaticApp, type StaticApp } from './pages/app.ts';
import { watchTemplates } from './pages/dev-watch.ts';

export interface StaticGenWorker extends BatchWorkerDefinition<StaticConfig, NewsLine> {
  /** The open app (after start), for tests and the benchmark. */
  readonly app: StaticApp | undefined;
  /** Wait until a scheduled sitemap refresh is on disk. */
  drain(): Promise<void>;
}

export function createStaticGen(): StaticGenWorker {
  let app: StaticApp | undefined;
  let watcher: FSWatcher | undefined;

  return {
    name: WORKER_NAME,
    // Two batches at once: one's commit-wait (a long transaction holds it up
    // to STATIC_ROW_WAIT_MS) never stops the other from rendering; renders
    // themselves take turns on the site lock. 50 ms gathers a burst of edits.
    defaults: { concurrency: 2, batchLingerMs: 50 },
    get app() {
      return app;
    },

    parse: (message) => parseNewsLine(message),
    key: (message) => newsKey(message.body),
    merge: (older, newer) => ({ ...newer, body: mergeNewsLines(older.body, newer.body) }),

    async start({ config, log }) {
      app = await openStaticApp(config, log);
      if (config.static.dev) watcher = watchTemplates(config.static.templatesDir, app, log);
      log.info({ outDir: config.site.outDir, templates: config.static.templatesDir }, 'static-gen ready');
    },

    async handleBatch(messages, { signal }) {
      if (!app) throw new Error('static-gen: handleBatch() before start()');
      return app.renderBatch(messages.map((m) => m.body), signal);
    },

    async reconcile({ signal }) {
      if (!app) throw new Error('static-gen: reconcile() before start()');
      return { ...(await app.reconcile({ signal })) };
    },

    async drain() {
      await app?.drain();
    },

    async stop() {
      watcher?.close();
      await app?.close();
      app = undefined;
    },
  };
}

/** The instance `src/main.ts` runs. */
export const staticGen = createStaticGen();
