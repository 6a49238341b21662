// Process entry for a worker's src/main.ts:
//   runMain(smsWorker, (env) => loadSmsConfig(env));
// Bad configuration → one clear list on stderr, exit 78 (EX_CONFIG).
// SIGTERM/SIGINT → graceful stop → exit 0; a second signal exits at once.
import { ConfigError, EXIT_CONFIG } from './errors.ts';
import type { WorkerDefinition } from './contract.ts';
import { createLogger } from './logger.ts';
import { startWorker, type WorkerConfig } from './worker.ts';

export { EXIT_CONFIG };

export function formatConfigError(worker: string, e: ConfigError): string {
  return `${worker}: cannot start, fix these environment variables:\n${e.problems.map((p) => `  - ${p}`).join('\n')}\n`;
}

export function runMain<C extends WorkerConfig, T>(
  def: WorkerDefinition<C, T>,
  loadConfig: (env: NodeJS.ProcessEnv) => C,
): void {
  let config: C;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(formatConfigError(def.name, e));
      process.exit(EXIT_CONFIG);
    }
    throw e;
  }
  const log = createLogger(def.name, config.runtime.logLevel);
  const worker = startWorker(def, config, { logger: log });
  let signals = 0;

  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    log.info({ signal, timeoutMs: config.runtime.shutdownTimeoutMs }, 'signal: stopping gracefully');
    // Last resort if a stop() hook hangs past the deadline.
    setTimeout(() => {
      log.error('graceful stop overran its deadline: exiting');
      process.exit(1);
    }, config.runtime.shutdownTimeoutMs + 5000).unref();
    worker.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        log.error({ err: e }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  worker.done.catch((e: unknown) => {
    log.fatal({ err: e }, 'worker failed');
    process.exit(1);
  });
}
