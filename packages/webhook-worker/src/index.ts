// Public surface of @dbfifo/webhook-worker. Re-exports only.
export { createWebhookWorker, webhookWorker, type WebhookWorker, type WebhookStats } from './worker.ts';
export { loadWebhookConfig, webhookSpec, PIPE, type WebhookConfig, type WebhookSettings } from './config.ts';
export { parseWebhookLine, type WebhookLine, type WebhookOp } from './line.ts';
export { WebhookRows, TABLE, type WebhookRow } from './rows.ts';
export { WebhookLineError, WEBHOOK_CODES, type WebhookCode } from './errors.ts';
export { logChange, type WebhookChange, type OnChange } from './changes/on-change.ts';
