// The `webhook-worker` command (bin/webhook-worker.mjs; also
// `npx nx run webhook-worker:dead-letters` and `…:redeliver -- <id>…|--all`):
// list the dead-lettered rows, or send them again now (src/dead-letters.ts).
// Same environment as the worker: DATABASE_URL, WEBHOOK_*.
import { ConfigError, createLogger, EXIT_CONFIG } from '@dbfifo/fifo-core';
import { loadWebhookConfig, type WebhookConfig } from './config.ts';
import { listDeadLetters, redeliver } from './dead-letters.ts';

const USAGE = `usage: webhook-worker dead-letters        list the dead-lettered rows
       webhook-worker redeliver <id>…     send these rows again now (ids from dead-letters)
       webhook-worker redeliver --all     send every dead-lettered row again now
Environment: the worker's (DATABASE_URL, WEBHOOK_URL/WEBHOOK_URLS, WEBHOOK_TABLES…).`;

const EXIT_USAGE = 64;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd !== 'dead-letters' && cmd !== 'redeliver') {
    process.stderr.write(`${USAGE}\n`);
    return cmd === undefined || cmd === '--help' || cmd === '-h' ? 0 : EXIT_USAGE;
  }
  let config: WebhookConfig;
  try {
    config = loadWebhookConfig(process.env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`webhook-worker ${cmd}: fix these environment variables:\n${e.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return EXIT_CONFIG;
  }
  const log = createLogger('webhook-worker', config.runtime.logLevel === 'info' ? 'warn' : config.runtime.logLevel);
  const write = (s: string) => void process.stdout.write(s);
  if (cmd === 'dead-letters') return listDeadLetters(config, log, write);
  const all = rest.includes('--all');
  const ids = rest.filter((a) => a !== '--all');
  if (all === ids.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return EXIT_USAGE;
  }
  return redeliver(config, all ? 'all' : ids, log, write);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`webhook-worker: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
