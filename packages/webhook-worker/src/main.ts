// `nx run webhook-worker:serve`: read the `webhook` pipe and POST each
// committed change of a row of WEBHOOK_TABLES to its URL. Configuration:
// environment variables, see ../README.md.
import { runMain } from '@dbfifo/fifo-core';
import { loadWebhookConfig } from './config.ts';
import { webhookWorker } from './worker.ts';

runMain(webhookWorker, loadWebhookConfig);
