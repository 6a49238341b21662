// `npm start`'s webhook receiver: prints each delivery webhook-worker makes.
//   npx tsx tools/webhook-receiver/src/main.ts [--port 8097]   (or WEBHOOK_DEMO_PORT)
// With WEBHOOK_SECRET set (the worker's), it checks each signature and refuses a bad one.
import { startWebhookReceiver } from './receiver.ts';

const i = process.argv.indexOf('--port');
const port = Number(i >= 0 ? process.argv[i + 1] : (process.env.WEBHOOK_DEMO_PORT ?? 8097));
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`webhook receiver: --port must be 0-65535 (got ${process.argv[i + 1] ?? process.env.WEBHOOK_DEMO_PORT})\n`);
  process.exit(64);
}
const secret = process.env.WEBHOOK_SECRET || undefined;
const receiver = await startWebhookReceiver({ port, secret });
receiver.onEffect = (r) => {
  const time = new Date(r.at).toISOString().replace('T', ' ').slice(0, 19);
  const signed = r.signature === 'unsigned' ? 'unsigned' : `signature ${r.signature}`;
  process.stdout.write(`[webhook receiver ${time}] ${r.table} ${r.op} ${JSON.stringify(r.key)}  Idempotency-Key ${r.idempotencyKey}  ${signed}\n`);
  if (r.row) process.stdout.write(`    ${JSON.stringify(r.row)}\n`);
};
process.stdout.write(`webhook receiver listening on ${receiver.url}${secret ? ' (checking signatures)' : ''}\n`);
const stop = () => void receiver.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
