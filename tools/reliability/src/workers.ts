// Running the ledger worker in-process (most cases) or as a child process
// (the SIGKILL case: a real kill needs a real process).
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startWorker, type RunningWorker } from '@dbfifo/fifo-core';
import { loadLedgerConfig } from './config.ts';
import { ledgerWorker } from './ledger-worker.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');

export interface LedgerEnv {
  pipe: string;
  pipeDir: string;
  databaseUrl: string;
  redisUrl: string;
  mode?: 'direct' | 'queue';
  reconcileMs?: number;
  rowWaitMs?: number;
  concurrency?: number;
}

export function ledgerEnv(o: LedgerEnv): NodeJS.ProcessEnv {
  return {
    DBFIFO_PIPE: o.pipe,
    DBFIFO_PIPE_DIR: o.pipeDir,
    DBFIFO_PIPE_MODE: '0666',
    DBFIFO_MODE: o.mode ?? 'direct',
    DBFIFO_CONCURRENCY: String(o.concurrency ?? 16),
    DBFIFO_RECONCILE_INTERVAL_MS: String(o.reconcileMs ?? 0),
    DBFIFO_SHUTDOWN_TIMEOUT_MS: '3000',
    DBFIFO_QUEUE_BACKOFF_MS: '200',
    DATABASE_URL: o.databaseUrl,
    REDIS_URL: o.redisUrl,
    LEDGER_ROW_WAIT_MS: String(o.rowWaitMs ?? 1000),
    LOG_LEVEL: 'error',
  };
}

/** In-process worker with logs kept in memory (inspected by the hostile-input case). */
export function startLedger(o: LedgerEnv): { worker: RunningWorker; logs: Record<string, unknown>[] } {
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'warn' }, { write: (s: string) => void logs.push(JSON.parse(s) as Record<string, unknown>) });
  const worker = startWorker(ledgerWorker(), loadLedgerConfig(ledgerEnv(o)), { logger });
  return { worker, logs };
}

/** The worker as its own process, the way systemd runs it. */
export function spawnLedger(o: LedgerEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(here, 'ledger-main.ts')], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...ledgerEnv(o) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export function exited(child: ChildProcess): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((r) => child.once('exit', (code, signal) => r(code ?? signal)));
}
