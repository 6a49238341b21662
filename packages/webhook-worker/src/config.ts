// The only file of webhook-worker that reads the environment (through
// fifo-core's typed fields). Every variable, its default and meaning: ../README.md.
import { collectConfig, ConfigError, env, loadConfig, loadDatabaseConfig, loadRuntimeConfig, type WorkerConfig } from '@dbfifo/fifo-core';

/** The pipe's name in DBFIFO_PIPE_DIR: the one sql/webhook/schema.sql's triggers ring. */
export const PIPE = 'webhook';

export const webhookSpec = {
  url: env.string('WEBHOOK_URL', { optional: true, doc: 'where the changes of every table are POSTed, unless WEBHOOK_URLS names a URL for it' }),
  urls: env.list('WEBHOOK_URLS', { optional: true, doc: 'a URL per table: table=url,table=url' }),
  tables: env.list('WEBHOOK_TABLES', { default: ['orders'], doc: "tables whose changes are delivered: their doorbells, and reconcile's comparison with the ledger" }),
  secret: env.string('WEBHOOK_SECRET', { optional: true, doc: 'HMAC-SHA256 key: each request is signed in X-Dbfifo-Signature' }),
  timeoutMs: env.int('WEBHOOK_TIMEOUT_MS', { default: 10_000, min: 100, doc: 'longest wait for a complete answer to one POST' }),
  attempts: env.int('WEBHOOK_ATTEMPTS', { default: 20, min: 1, doc: "tries of a row's change before it is dead-lettered" }),
  retryBaseMs: env.int('WEBHOOK_RETRY_BASE_MS', { default: 1000, min: 1, doc: 'delay before the second try, doubled for each further try (with jitter)' }),
  retryMaxMs: env.int('WEBHOOK_RETRY_MAX_MS', { default: 600_000, min: 1, doc: 'longest delay between two tries (the ceiling)' }),
  ratePerSec: env.number('WEBHOOK_RATE_PER_SEC', { default: 0, min: 0, doc: 'requests started per second per endpoint (per process); 0 = no limit' }),
  rateBurst: env.int('WEBHOOK_RATE_BURST', { default: 1, min: 1, doc: 'requests an endpoint may get back to back before the rate applies' }),
  concurrency: env.int('WEBHOOK_CONCURRENCY', { default: 16, min: 1, max: 1000, doc: 'requests in flight per endpoint (per process)' }),
  rowWaitMs: env.int('WEBHOOK_ROW_WAIT_MS', { default: 2000, min: 0, doc: "how long a doorbell waits for its row's COMMIT; a longer transaction is tried again later" }),
  reconcileBatch: env.int('WEBHOOK_RECONCILE_BATCH', { default: 1000, min: 1, max: 100_000, doc: 'rows read per step when reconcile compares a table with the ledger, and retries taken per step' }),
  ledgerTable: env.string('WEBHOOK_LEDGER_TABLE', { default: 'webhook_ledger', doc: 'the table (in DATABASE_URL\'s database) where the worker records what each receiver has; created at start when missing' }),
};

export type WebhookSettings = ReturnType<typeof loadConfig<typeof webhookSpec>> & {
  /** The URL each table's changes go to. */
  endpoints: Record<string, string>;
};

export interface WebhookConfig extends WorkerConfig {
  webhook: WebhookSettings;
}

/** How long a delivery waits for a row another delivery holds: as long as one delivery may take (its row wait, its POST), and a second. */
export function busyWaitMs(c: WebhookSettings): number {
  return c.timeoutMs + c.rowWaitMs + 1000;
}

const IDENTIFIER = /^[A-Za-z0-9_$]{1,64}$/;

function urlProblem(variable: string, url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol === 'http:' || u.protocol === 'https:') return undefined;
  } catch {
    // said below
  }
  return `${variable}: ${JSON.stringify(url)} is not an http:// or https:// URL`;
}

function loadWebhook(source: NodeJS.ProcessEnv): WebhookSettings {
  const s = loadConfig(webhookSpec, source);
  const problems: string[] = [];
  const endpoints: Record<string, string> = {};
  for (const t of s.tables) if (!IDENTIFIER.test(t)) problems.push(`WEBHOOK_TABLES: ${JSON.stringify(t)} is not a table name (letters, digits, _ and $; a table of DATABASE_URL's database)`);
  if (!IDENTIFIER.test(s.ledgerTable)) problems.push(`WEBHOOK_LEDGER_TABLE: ${JSON.stringify(s.ledgerTable)} is not a table name`);
  if (s.url) {
    const p = urlProblem('WEBHOOK_URL', s.url);
    if (p) problems.push(p);
  }
  for (const entry of s.urls) {
    const eq = entry.indexOf('=');
    const table = entry.slice(0, eq).trim();
    const url = entry.slice(eq + 1).trim();
    if (eq < 1) problems.push(`WEBHOOK_URLS: ${JSON.stringify(entry)} is not table=url`);
    else if (!s.tables.includes(table)) problems.push(`WEBHOOK_URLS names ${table}, which WEBHOOK_TABLES (${s.tables.join(',')}) does not list`);
    else {
      const p = urlProblem(`WEBHOOK_URLS (${table})`, url);
      if (p) problems.push(p);
      endpoints[table] = url;
    }
  }
  for (const t of s.tables) {
    if (endpoints[t] === undefined && s.url) endpoints[t] = s.url;
    if (endpoints[t] === undefined) problems.push(`WEBHOOK_URL (or ${t}=… in WEBHOOK_URLS) is required: where the changes of ${t} are POSTed`);
  }
  if (s.retryMaxMs < s.retryBaseMs) problems.push(`WEBHOOK_RETRY_MAX_MS=${s.retryMaxMs} is below WEBHOOK_RETRY_BASE_MS=${s.retryBaseMs}`);
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...s, endpoints };
}

/** Whole worker config; throws one ConfigError naming every bad variable. */
export function loadWebhookConfig(source: NodeJS.ProcessEnv = process.env): WebhookConfig {
  return collectConfig({
    runtime: () => loadRuntimeConfig(PIPE, source),
    db: () => loadDatabaseConfig(source),
    webhook: () => loadWebhook(source),
  });
}
