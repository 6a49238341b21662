// Public surface of @dbfifo/webhook-worker. Re-exports only.
export { createWebhookWorker, webhookWorker, type WebhookWorker, type WebhookStats } from './worker.ts';
export { loadWebhookConfig, webhookSpec, PIPE, type WebhookConfig, type WebhookSettings } from './config.ts';
export { parseWebhookLine, type WebhookLine, type WebhookOp } from './line.ts';
export { WebhookRows, type DeadLetter } from './rows.ts';
export { WebhookLineError, DeliveryError, WEBHOOK_CODES, type WebhookCode } from './errors.ts';
export { verifySignature, sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './delivery/signature.ts';
export { wireRequest, type Change, type ChangeOp } from './delivery/request.ts';
export { listDeadLetters, redeliver } from './dead-letters.ts';
