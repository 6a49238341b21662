// The few error classes that mean something to a caller.
// PermanentError / InvalidMessageError belong to the handler contract; ConfigError
// is what a bad environment produces: one error that lists every problem.
export { PermanentError, InvalidMessageError } from './contract.ts';

/** The exit code of a process that cannot start for its configuration (sysexits' EX_CONFIG): systemd's unit does not restart it. */
export const EXIT_CONFIG = 78;

/** Every missing or invalid configuration value, collected before anything starts. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }

  /** Merge several ConfigErrors (e.g. runtime part + worker's own part) into one. */
  static merge(errors: ConfigError[]): ConfigError {
    return new ConfigError(errors.flatMap((e) => e.problems));
  }
}

/**
 * The row a line names never became visible (waitForRow gave up): its transaction
 * was rolled back. Throw it from a handler: the runtime counts the message as
 * rolled back (dbfifo_rows_rolled_back_total), logs it at info, and does not retry.
 */
export class RolledBackError extends Error {
  override name = 'RolledBackError';
  constructor(message = 'row not visible: transaction rolled back', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * `dbfifo trigger` refused its input or could not do what it was asked (unknown
 * table, no primary key, a pipe name fifo.so would refuse…): every problem, each a
 * sentence for the person at the terminal. Nothing was left half-installed.
 */
export class TriggerError extends Error {
  override name = 'TriggerError';
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0]! : problems.map((p) => `  - ${p}`).join('\n'));
  }
}
