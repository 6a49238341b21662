// @dbfifo/webhook-receiver: the local receiver webhook-worker's tests and demo POST to.
export { startWebhookReceiver, type Answer, type Behaviour, type Received, type WebhookReceiver } from './receiver.ts';
export { signatureValid } from './signature.ts';
