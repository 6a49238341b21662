// The only file of webhook-worker that reads the environment (through fifo-core's
// typed fields). Every variable, its default and meaning: ../README.md.
import { collectConfig, env, loadConfig, loadDatabaseConfig, loadRuntimeConfig, type WorkerConfig } from '@dbfifo/fifo-core';

/** The pipe's name in DBFIFO_PIPE_DIR: the one sql/webhook/schema.sql's triggers ring. */
export const PIPE = 'webhook';

export const webhookSpec = {
  rowWaitMs: env.int('WEBHOOK_ROW_WAIT_MS', { default: 2000, min: 0, doc: "how long a doorbell waits for its row's COMMIT before the change counts as rolled back" }),
};

export type WebhookSettings = ReturnType<typeof loadConfig<typeof webhookSpec>>;

export interface WebhookConfig extends WorkerConfig {
  webhook: WebhookSettings;
}

/** Whole worker config; throws one ConfigError naming every bad variable. */
export function loadWebhookConfig(source: NodeJS.ProcessEnv = process.env): WebhookConfig {
  return collectConfig({
    runtime: () => loadRuntimeConfig(PIPE, source),
    db: () => loadDatabaseConfig(source),
    webhook: () => loadConfig(webhookSpec, source),
  });
}
