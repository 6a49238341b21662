// `nx run static-gen:rebuild`: render every published article (unchanged
// bytes are not rewritten), remove orphan pages, refresh index and sitemap.
// Same configuration as the worker; safe to run while the worker runs (each
// write is atomic and the last one reflects the row as it is now).
import { ConfigError, createLogger, EXIT_CONFIG } from '@dbfifo/fifo-core';
import { openStaticApp } from './app.ts';
import { loadStaticConfig } from './config.ts';
import { createProgress } from './progress.ts';

async function main(): Promise<number> {
  let config;
  try {
    config = loadStaticConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`static-gen rebuild: ${err.message}\n`);
      return EXIT_CONFIG;
    }
    throw err;
  }
  const log = createLogger('static-rebuild', config.runtime.logLevel === 'info' ? 'warn' : config.runtime.logLevel);
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  const app = await openStaticApp(config, log, abort.signal);
  try {
    const progress = createProgress({ label: 'rebuild' });
    const report = await app.reconcile({ force: true, onProgress: (d, t) => progress.update(d, t), signal: abort.signal });
    progress.finish(
      `${report.rendered} rendered, ${report.written} written, ${report.rendered - report.written} unchanged, ` +
        `${report.removed} orphans removed, ${report.refused} refused (unsafe slug), ${report.failed} failed → ${config.site.outDir}`,
    );
    return report.failed > 0 || abort.signal.aborted ? 1 : 0;
  } finally {
    await app.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`static-gen rebuild failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
