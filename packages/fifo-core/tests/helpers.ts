// Shared bits of the fifo-core integration tests: temp dirs, writing lines the
// way fifo_write does (O_WRONLY|O_NONBLOCK, one write per line), quiet configs.
import { pino } from 'pino';
import { tempDir as selfRemovingTempDir } from '@dbfifo/test-utils';
import { loadRuntimeConfig, type RuntimeConfig } from '../src/config.ts';

/** A folder (pipes, a private Redis's files) removed when the test file ends. */
export function tempDir(prefix = 'fifo-core-'): string {
  return selfRemovingTempDir(prefix);
}

export { writeLines } from '@dbfifo/test-utils'; // one non-blocking open + one write per line, like fifo_write

export function runtimeFor(name: string, dir: string, extra: Record<string, string> = {}): RuntimeConfig {
  return loadRuntimeConfig(name, { DBFIFO_PIPE_DIR: dir, DBFIFO_RECONCILE_INTERVAL_MS: '0', ...extra });
}

/** Logs go to a buffer the test can inspect instead of the terminal. */
export function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

export const db = { url: 'mysql://unused@127.0.0.1/unused' };
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
