// Every kernel command goes through here: execFile with an argument array
// (never a shell), awaited, its failure turned into an error that names the
// command and carries stderr. With a network namespace configured the same
// argv runs as `nsenter --net=/run/netns/<ns> <argv>` — for tests, and for
// hosts that give each tenant its own namespace. Not `ip netns exec`: that
// also unshares the mount namespace and remounts /sys for every command,
// which ipset and iptables do not need (about 1.5 ms more per command here).
import { execFile } from 'node:child_process';
import { CommandError } from '../errors.ts';

export interface CommandResult {
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Fed to the command's stdin (ipset restore). */
  input?: string;
  /** Failing is expected (a `-C` check): resolve with ok=false instead of throwing. */
  check?: boolean;
}

export type Runner = (argv: readonly string[], opts?: RunOptions) => Promise<CommandResult & { ok: boolean }>;

export interface RunnerOptions {
  /** Run inside this network namespace (one made by `ip netns add <ns>`). */
  netns?: string;
  timeoutMs?: number;
  /** Called after each command: metrics and debug logs hook in here. */
  onCommand?: (argv: readonly string[], ok: boolean, ms: number, check: boolean) => void;
}

const NETNS_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** What runs a command inside the namespace (nothing without one); throws on a name `ip netns` would not make. */
export function netnsPrefix(netns: string | undefined): string[] {
  if (netns !== undefined && !NETNS_NAME.test(netns)) throw new Error(`invalid network namespace name ${JSON.stringify(netns)}`);
  return netns ? ['nsenter', `--net=/run/netns/${netns}`] : [];
}

export function createRunner(o: RunnerOptions = {}): Runner {
  const prefix = netnsPrefix(o.netns);
  return (argv, opts = {}) =>
    new Promise((resolve, reject) => {
      const full = [...prefix, ...argv];
      const started = performance.now();
      const child = execFile(
        full[0]!,
        full.slice(1),
        { timeout: o.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const ok = !err;
          o.onCommand?.(argv, ok, performance.now() - started, opts.check === true);
          if (ok || opts.check) return resolve({ ok, stdout, stderr });
          const code = (err as NodeJS.ErrnoException & { code?: unknown }).code;
          reject(new CommandError(full, typeof code === 'number' ? code : null, stderr || err.message, { cause: err }));
        },
      );
      if (opts.input !== undefined) {
        // A command that exits before reading all its input (ipset restore
        // stopping at "set is full") makes the rest of the write fail with
        // EPIPE; unhandled, that error would kill the worker. The exit code
        // already reports the failure through the callback above.
        child.stdin?.on('error', () => undefined);
        child.stdin?.end(opts.input);
      }
    });
}
