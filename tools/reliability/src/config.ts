// The only file reading process.env. The fast part (npm test) runs reduced
// counts; RELIABILITY_FULL=1 (npm run reliability) runs the counts and
// the cases that restart servers on a private stack instance.
import { loadDatabaseConfig, loadRuntimeConfig, type WorkerConfig } from '@dbfifo/fifo-core';

export const full = process.env.RELIABILITY_FULL === '1';

function int(name: string, fast: number, fullValue: number): number {
  const raw = process.env[name];
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    return n;
  }
  return full ? fullValue : fast;
}

export const sizes = {
  /** Rows in the burst during which the worker is SIGKILLed (issue: 10,000). */
  killBurst: int('RELIABILITY_KILL_ROWS', 1000, 10_000),
  /** Rolled-back transactions (issue: 1,000). */
  rollbacks: int('RELIABILITY_ROLLBACKS', 300, 1000),
  /** Rows inserted while a server restarts or the pipe is swapped. */
  underLoad: int('RELIABILITY_LOAD_ROWS', 300, 3000),
  /** Seconds 4 connections insert while the consumer is stopped (issue: up to 60; 8 is enough to overflow a 1 MiB pipe here). */
  stallSeconds: int('RELIABILITY_STALL_SECONDS', 8, 60),
  /** Seconds Redis is down (queue mode) or the SMS provider fails every request (issue: 30). */
  outageSeconds: int('RELIABILITY_OUTAGE_SECONDS', 3, 30),
  /** fast-check runs per property. */
  propertyRuns: int('RELIABILITY_PROPERTY_RUNS', 200, 2000),
  /** libFuzzer seconds per target (full suite only). */
  fuzzSeconds: int('RELIABILITY_FUZZ_SECONDS', 10, 60),
};

/** Private stack for the cases that restart MariaDB or Redis (never the shared one). */
export const privateStack = {
  name: process.env.RELIABILITY_STACK ?? 'reliability',
  env: { STACK_MYSQL_PORT: process.env.RELIABILITY_MYSQL_PORT ?? '3431', STACK_REDIS_PORT: process.env.RELIABILITY_REDIS_PORT ?? '6431' },
};

export interface LedgerConfig extends WorkerConfig {
  /** How long a handler waits for its row before calling it rolled back (LEDGER_ROW_WAIT_MS). */
  rowWaitMs: number;
}

export function loadLedgerConfig(env: NodeJS.ProcessEnv): LedgerConfig {
  return { runtime: loadRuntimeConfig('ledger', env), db: loadDatabaseConfig(env), rowWaitMs: Number(env.LEDGER_ROW_WAIT_MS ?? 1000) };
}
