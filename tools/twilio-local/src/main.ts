// CLI: npx tsx tools/twilio-local/src/main.ts --port 8089
// Options (flags win over environment):
//   --port N          TWILIO_LOCAL_PORT      default 8089
//   --host H          TWILIO_LOCAL_HOST      default 127.0.0.1
//   --account-sid AC… TWILIO_ACCOUNT_SID     default AC00000000000000000000000000000000
//   --auth-token T    TWILIO_AUTH_TOKEN      default local-token
//   --config JSON     TWILIO_LOCAL_CONFIG    initial failure modes, e.g. '{"rate429":0.2,"latencyMs":50}'
import { parseArgs } from 'node:util';
import { startTwilioLocal } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'account-sid': { type: 'string' },
    'auth-token': { type: 'string' },
    config: { type: 'string' },
  },
});

const port = Number(values.port ?? process.env.TWILIO_LOCAL_PORT ?? 8089);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`twilio-local: --port must be an integer 0..65535, got ${values.port}`);
  process.exit(64);
}
const accountSid = values['account-sid'] ?? process.env.TWILIO_ACCOUNT_SID ?? 'AC00000000000000000000000000000000';
const authToken = values['auth-token'] ?? process.env.TWILIO_AUTH_TOKEN ?? 'local-token';
const configText = values.config ?? process.env.TWILIO_LOCAL_CONFIG;

const api = await startTwilioLocal({
  accountSid,
  authToken,
  port,
  host: values.host ?? process.env.TWILIO_LOCAL_HOST ?? '127.0.0.1',
  faults: configText ? JSON.parse(configText) : {},
  print: (line) => console.log(line),
});
console.log(`[twilio-local] listening on ${api.url} (account ${accountSid}); GET /_local/messages, POST /_local/config, POST /_local/reset`);

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void api.close().then(() => process.exit(0));
  });
}
