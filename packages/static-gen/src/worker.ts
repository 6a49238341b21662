// The static-gen worker: a line on the `static` pipe names a news row; the
// page for that row (and the index and sitemap) is brought in line with it.
//
// How this meets fifo-core's dispatch: handle() puts the event into an
// in-process Coalescer and awaits the flush of the batch it joined, so
// "handled" means "on disk" and a failure (e.g. an unsafe slug) reaches the
// runtime's counters and retries. key() is deliberately undefined: a key would
// make direct mode run edits of one article one after another, so each would
// wait out its own window and render alone. Without it, every line in flight
// joins the pending batch; the Coalescer itself never renders two batches at
// once, and each batch re-reads the rows, so order between lines does not
// matter. DBFIFO_CONCURRENCY (default 64 here) is how many lines can share a
// batch; more simply wait for the next one.
import type { FSWatcher } from 'node:fs';
import type { SingleWorkerDefinition } from '@dbfifo/fifo-core';
import { openStaticApp, type StaticApp } from './app.ts';
import { Coalescer } from './coalescer.ts';
import { WORKER_NAME, type StaticConfig } from './config.ts';
import { watchTemplates } from './dev-watch.ts';
import { parseNewsEvent, type NewsEvent } from './message.ts';

export interface StaticGenWorker extends SingleWorkerDefinition<StaticConfig, NewsEvent> {
  /** The open app (after start), for tests and the benchmark. */
  readonly app: StaticApp | undefined;
  /** Wait until every pending batch is on disk. */
  drain(): Promise<void>;
}

export function createStaticGen(): StaticGenWorker {
  let app: StaticApp | undefined;
  let coalescer: Coalescer<number, NewsEvent> | undefined;
  let watcher: FSWatcher | undefined;
  const stopping = new AbortController();

  return {
    name: WORKER_NAME,
    get app() {
      return app;
    },

    parse: (message) => parseNewsEvent(message),

    key: () => undefined,

    async start({ config, log, signal }) {
      app = await openStaticApp(config, log, AbortSignal.any([stopping.signal, signal]));
      coalescer = new Coalescer({ debounceMs: config.static.coalesceMs, maxWaitMs: config.static.coalesceMaxMs }, app.updater.flush);
      if (config.static.dev) watcher = watchTemplates(config.static.templatesDir, app, log);
      log.info({ outDir: config.site.outDir, templates: config.static.templatesDir }, 'static-gen ready');
    },

    async handle(message) {
      if (!coalescer) throw new Error('static-gen: handle() before start()');
      await coalescer.add(message.body.id, message.body);
    },

    async reconcile() {
      if (!app) throw new Error('static-gen: reconcile() before start()');
      return { ...(await app.reconcile()) };
    },

    async drain() {
      await coalescer?.drain();
      await app?.updater.drain();
    },

    async stop() {
      watcher?.close();
      await coalescer?.drain();
      await app?.updater.drain();
      stopping.abort();
      await app?.close();
      app = undefined;
    },
  };
}

/** The instance `src/main.ts` runs. */
export const staticGen = createStaticGen();
