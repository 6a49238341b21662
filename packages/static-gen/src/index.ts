// Public surface of @dbfifo/static-gen. Re-exports only.
export { createStaticGen, staticGen, type StaticGenWorker } from './worker.ts';
export { loadStaticConfig, loadPreviewConfig, staticSpec, previewSpec, WORKER_NAME, PIPE_NAME, type StaticConfig, type StaticSettings } from './config.ts';
export { parseNewsLine, mergeNewsLines, newsKey, type NewsLine } from './line.ts';
export { NewsRows, type ArticleRow, type ArticleSummary, type Stamp } from './rows.ts';
export { STATIC_CODES, NotANewsLineError, UnsafeSlugError, EditNotCommittedError, type StaticCode } from './errors.ts';
export { openStaticApp, type StaticApp } from './pages/app.ts';
export { SLUG_PATTERN, isSafeSlug, articlePath } from './pages/slug.ts';
export { writeFileAtomic, type AtomicWriteOptions, type WriteOutcome } from './pages/atomic-write.ts';
export { WritePass, type SyncPolicy } from './pages/write-pass.ts';
export { Site, type SiteSettings, type SiteStats } from './pages/site.ts';
export { Templates, TEMPLATE_FILES } from './pages/templates.ts';
export { reconcileSite, type SiteReconcileReport } from './pages/reconcile.ts';
export { createProgress } from './pages/progress.ts';
export { createStaticServer } from './pages/static-server.ts';
