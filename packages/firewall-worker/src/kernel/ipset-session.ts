// One long-lived `ipset -exist -` (ipset's interactive mode: it reads one
// command per line and applies each as it is read) for the doorbell path. A
// ban then costs a write to a pipe and a netlink message, about 0.02 ms,
// where an `ipset restore` per batch costs a fork and an exec or two (2-4 ms
// of the worker's CPU, taken from the database the writers wait on, and most
// of a ban's latency).
//
// Interactive mode says nothing when a command succeeds and prints its
// prompts only when ipset exits (its stdout is block-buffered on a pipe), so
// each request ends with a probe line that always fails with a message that
// names it: `create dbfifo-probe dbfifo-done-<n>` ("typename
// 'dbfifo-done-<n>' is unknown", decided in ipset itself, no kernel call,
// no set needed). stderr is one ordered stream, so everything written to it
// before the probe's message came from the request's own lines: nothing
// means every line was applied, anything is the request's failure. Requests
// run one at a time; a session that dies or hangs is killed and the next
// request starts a new one.
import { spawn, type ChildProcess } from 'node:child_process';
import { CommandError } from '../errors.ts';

export interface IpsetSessionOptions {
  /** Prepended to `ipset -exist -` (nsenter into the worker's network namespace). */
  prefix?: readonly string[];
  /** A request that gets no answer within this long kills the session and fails. */
  timeoutMs: number;
  /** Called after each request, as the runner's onCommand is after each command. */
  onCommand?: (argv: readonly string[], ok: boolean, ms: number) => void;
}

interface Pending {
  /** The session the request was written to: only its answers and its end count. */
  child: ChildProcess;
  token: string;
  stderr: string;
  settle(err?: Error): void;
}

export class IpsetSession {
  private child: ChildProcess | undefined;
  private pending: Pending | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private requests = 0;
  private closed = false;
  private readonly argv: readonly string[];

  constructor(private readonly o: IpsetSessionOptions) {
    this.argv = [...(o.prefix ?? []), 'ipset', '-exist', '-'];
  }

  /**
   * Applies these restore-format lines (`add …`, `del …`), one request at a
   * time. Rejects with a CommandError carrying ipset's messages if any line
   * failed: the lines before and after it were still applied (all are
   * idempotent under -exist, so the caller may simply apply them again).
   */
  run(lines: readonly string[]): Promise<void> {
    const next = this.tail.then(() => this.request(lines));
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Ends the session (the worker's stop): ipset exits at the end of its input. */
  close(): void {
    this.closed = true;
    this.recycle();
  }

  /**
   * Lets the running ipset finish what it was given and exit; the next
   * request starts a new one. A session stays in the network namespace it
   * entered, even after `ip netns del` and a new namespace of the same name:
   * reconcile recycles it, so it follows the namespace as it is now.
   */
  recycle(): void {
    this.child?.stdin?.end();
    this.child = undefined;
  }

  private request(lines: readonly string[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('ipset session closed'));
    const child = this.child ?? this.start();
    const token = `dbfifo-done-${++this.requests}`;
    const started = performance.now();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending?.settle(new CommandError(this.argv, null, `no answer within ${this.o.timeoutMs} ms (FIREWALL_COMMAND_TIMEOUT_MS): session killed`));
        this.kill(child);
      }, this.o.timeoutMs);
      this.pending = {
        child,
        token,
        stderr: '',
        settle: (err) => {
          clearTimeout(timer);
          this.pending = undefined;
          this.o.onCommand?.(this.argv, !err, performance.now() - started);
          if (err) reject(err);
          else resolve();
        },
      };
      child.stdin?.write(`${lines.join('\n')}\ncreate dbfifo-probe ${token}\n`);
    });
  }

  private start(): ChildProcess {
    const [file, ...args] = this.argv;
    const child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    // Prompts and nothing else: read and dropped so that the pipe never fills.
    child.stdout?.resume();
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => this.onStderr(child, chunk));
    // Writing to a session that just died: its exit below fails the request.
    child.stdin?.on('error', () => undefined);
    const gone = (why: string) => {
      if (this.child === child) this.child = undefined;
      const p = this.pending;
      if (p?.child === child) p.settle(new CommandError(this.argv, child.exitCode, `${p.stderr}${why}`));
    };
    child.on('error', (err) => gone(err.message));
    // 'close', not 'exit': by then everything it wrote to stderr has been read (a request it answered before exiting is settled already).
    child.on('close', (code, signal) => gone(`ipset session ended (${signal ?? `exit ${code}`})`));
    return child;
  }

  private onStderr(child: ChildProcess, chunk: string): void {
    const p = this.pending;
    if (p?.child !== child) return; // a killed session's last words: its request has failed already
    p.stderr += chunk;
    const at = p.stderr.indexOf(`'${p.token}'`);
    if (at < 0 || !p.stderr.includes('\n', at)) return;
    const before = p.stderr.slice(0, p.stderr.lastIndexOf('\n', at) + 1);
    p.settle(before ? new CommandError(this.argv, null, before) : undefined);
  }

  private kill(child: ChildProcess): void {
    if (this.child === child) this.child = undefined;
    child.kill('SIGKILL');
  }
}
