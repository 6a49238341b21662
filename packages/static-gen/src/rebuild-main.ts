// `nx run static-gen:rebuild`: render every published article (unchanged
// bytes are not rewritten), remove orphan pages, refresh index and sitemap.
// Same configuration as the worker; safe to run while the worker runs (each
// write is atomic and the last one reflects the row as it is now).
// An entry point of its own beside main.ts (not under pages/): like main.ts it
// reads the environment through config.ts and owns the process (exit codes,
// signals); everything it does is in pages/.
import { ConfigError, createLogger, EXIT_CONFIG } from '@dbfifo/fifo-core';
import { loadStaticConfig, WORKER_NAME } from './config.ts';
import { openStaticApp } from './pages/app.ts';
import { createProgress } from './pages/progress.ts';

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
  const log = createLogger(WORKER_NAME, config.runtime.logLevel === 'info' ? 'warn' : config.runtime.logLevel).child({ command: 'rebuild' });
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  const app = await openStaticApp(config, log);
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
