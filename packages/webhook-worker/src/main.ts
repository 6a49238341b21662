// `nx run webhook-worker:serve`: read the `webhook` pipe and handle each committed
// change of a orders row. Configuration: environment variables, see ../README.md.
import { runMain } from '@dbfifo/fifo-core';
import { loadWebhookConfig } from './config.ts';
import { webhookWorker } from './worker.ts';

runMain(webhookWorker, loadWebhookConfig);
