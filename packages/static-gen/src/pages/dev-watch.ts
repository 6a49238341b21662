// STATIC_DEV: a template edit recompiles and re-renders every page, so a
// designer sees the change on reload. A template that does not compile is
// logged and the previous templates stay in use.
import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from '@dbfifo/fifo-core';
import type { StaticApp } from './app.ts';

export function watchTemplates(dir: string, app: StaticApp, log: Logger, settleMs = 100): FSWatcher {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const watcher = watch(dir, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(async () => {
        try {
          const report = await app.reloadTemplates();
          log.info({ ...report }, 'templates changed: pages re-rendered');
        } catch (err) {
          log.error({ err }, 'templates changed but do not compile: keeping the previous ones');
        }
      });
    }, settleMs);
  });
  watcher.on('close', () => clearTimeout(timer));
  return watcher;
}
