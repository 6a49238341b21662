// The only file in static-gen that reads the environment. Every STATIC_*
// variable, its default and meaning is here and in the package README.
// The runtime's defaults of this worker (DBFIFO_CONCURRENCY, DBFIFO_BATCH_LINGER_MS)
// are on its definition (worker.ts), not here.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  collectConfig, ConfigError, env, loadConfig, loadDatabaseConfig, loadRuntimeConfig,
  type DatabaseConfig, type RuntimeConfig,
} from '@dbfifo/fifo-core';
import type { SiteSettings } from './pages/site.ts';

/** The worker's one name: Nx project, systemd instance, logs and metrics. */
export const WORKER_NAME = 'static-gen';
/** The pipe the triggers ring (`$DBFIFO_PIPE_DIR/static` unless DBFIFO_PIPE says otherwise). */
export const PIPE_NAME = 'static';
export const DEFAULT_TEMPLATES_DIR = fileURLToPath(new URL('../templates', import.meta.url));

export const staticSpec = {
  outDir: env.string('STATIC_OUT_DIR', { default: 'public', doc: 'output folder (news/<slug>.html, index.html, sitemap.xml); relative paths are resolved against the working directory' }),
  templatesDir: env.string('STATIC_TEMPLATES_DIR', { default: DEFAULT_TEMPLATES_DIR, doc: 'Handlebars templates (layout.hbs, article.hbs, index.hbs, sitemap.xml.hbs, partials/*.hbs)' }),
  siteUrl: env.string('STATIC_SITE_URL', { default: 'http://localhost:8080', doc: 'public base URL: canonical links and sitemap.xml' }),
  siteTitle: env.string('STATIC_SITE_TITLE', { default: 'dbfifo news', doc: 'site name in the header, titles and index' }),
  siteDescription: env.string('STATIC_SITE_DESCRIPTION', { default: 'News, published the moment it is written.', doc: 'index page description' }),
  lang: env.string('STATIC_LANG', { default: 'en', doc: 'html lang attribute' }),
  indexSize: env.int('STATIC_INDEX_SIZE', { default: 20, min: 1, max: 10_000, doc: 'latest published articles on index.html' }),
  sitemapMax: env.int('STATIC_SITEMAP_MAX', { default: 50_000, min: 1, max: 50_000, doc: 'URLs in sitemap.xml (the sitemap protocol allows 50,000 per file)' }),
  bodyMode: env.oneOf('STATIC_BODY_MODE', ['html', 'text'] as const, { default: 'html', doc: 'html: body is trusted CMS HTML, inserted unescaped; text: body is escaped and split into paragraphs' }),
  fsync: env.bool('STATIC_FSYNC', { default: true, doc: 'make pages durable across power loss: live batches fsync each page, reconcile and rebuild sync once per pass (atomic either way)' }),
  sitemapDelayMs: env.int('STATIC_SITEMAP_DELAY_MS', { default: 1000, min: 0, max: 600_000, doc: 'quiet time before sitemap.xml is refreshed after a batch (at most 5x this under a steady stream)' }),
  rowWaitMs: env.int('STATIC_ROW_WAIT_MS', { default: 2000, min: 0, max: 600_000, doc: 'how long to wait for an edit to commit before rendering the committed row' }),
  renderConcurrency: env.int('STATIC_RENDER_CONCURRENCY', { default: 4, min: 1, max: 256, doc: 'pages rendered and written at once' }),
  dev: env.bool('STATIC_DEV', { default: false, doc: 'watch the template folder; a change recompiles and re-renders every page' }),
};

export const previewSpec = {
  outDir: staticSpec.outDir,
  port: env.int('STATIC_PREVIEW_PORT', { default: 8080, min: 0, max: 65535, doc: '`nx run static-gen:preview` serves STATIC_OUT_DIR on 127.0.0.1 at this port' }),
};

export function loadPreviewConfig(source: NodeJS.ProcessEnv = process.env): { outDir: string; port: number } {
  const c = loadConfig(previewSpec, source);
  return { outDir: resolve(c.outDir), port: c.port };
}

export interface StaticSettings {
  templatesDir: string;
  rowWaitMs: number;
  sitemapDelayMs: number;
  renderConcurrency: number;
  dev: boolean;
}

export interface StaticConfig {
  runtime: RuntimeConfig;
  db: DatabaseConfig;
  site: SiteSettings;
  static: StaticSettings;
}

/** Variables of earlier versions that are read no more: set, they stop the start with what replaced them. */
const RETIRED: Record<string, string> = {
  STATIC_COALESCE_MS: 'a burst of doorbells now gathers into one batch for DBFIFO_BATCH_LINGER_MS (50 ms for static-gen)',
  STATIC_COALESCE_MAX_MS: 'a batch now waits at most DBFIFO_BATCH_LINGER_MS (50 ms for static-gen) for more doorbells; edits arriving meanwhile merge into the next one',
};

function retiredProblems(source: NodeJS.ProcessEnv): string[] {
  return Object.entries(RETIRED).filter(([name]) => source[name]?.trim()).map(([name, instead]) => `${name} is no longer read: ${instead}; remove it`);
}

/** Whole config, or one ConfigError listing every problem (runtime, database and static-gen's own). */
export function loadStaticConfig(source: NodeJS.ProcessEnv = process.env): StaticConfig {
  const { runtime, db, own } = collectConfig({
    runtime: () => loadRuntimeConfig(PIPE_NAME, source),
    db: () => loadDatabaseConfig(source),
    own: () => loadConfig(staticSpec, source),
    retired: () => {
      const problems = retiredProblems(source);
      if (problems.length > 0) throw new ConfigError(problems);
    },
  });
  return {
    runtime,
    db,
    site: {
      outDir: resolve(own.outDir),
      siteUrl: own.siteUrl,
      siteTitle: own.siteTitle,
      siteDescription: own.siteDescription,
      lang: own.lang,
      indexSize: own.indexSize,
      sitemapMax: own.sitemapMax,
      bodyMode: own.bodyMode,
      fsync: own.fsync,
    },
    static: {
      templatesDir: resolve(own.templatesDir),
      rowWaitMs: own.rowWaitMs,
      sitemapDelayMs: own.sitemapDelayMs,
      renderConcurrency: own.renderConcurrency,
      dev: own.dev,
    },
  };
}
