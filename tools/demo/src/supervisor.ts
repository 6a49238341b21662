// Runs the demo's processes and stops them as a person expects of Ctrl-C:
// every worker gets ONE SIGTERM and its whole shutdown deadline (fifo-core's
// runMain treats a second signal as "exit now"), the services stop once the
// workers are gone, and a second Ctrl-C exits at once.
import { spawn, type ChildProcess } from 'node:child_process';
import { relayLines } from './line-relay.ts';
import type { DemoProcesses, ProcessSpec } from './processes.ts';

// npm forwards the terminal's SIGINT to its child too; where that child is
// this process (a script shell that execs, e.g. bash as sh) one Ctrl-C
// arrives twice, milliseconds apart. Signals this close to the first are it.
const SAME_CTRL_C_MS = 500;
// After a second Ctrl-C, whatever still runs this much later is killed.
const HURRY_KILL_MS = 3000;

export interface SuperviseOptions {
  env: NodeJS.ProcessEnv;
  /** Children's stdout, whole lines under their name. */
  out: (text: string) => void;
  /** Children's stderr, whole lines under their name, and our own notes. */
  err: (text: string) => void;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Supervised {
  spec: ProcessSpec;
  child: ChildProcess;
  /** Settles once the process has exited and its last output line is written. */
  closed: Promise<Exit>;
  exit?: Exit;
}

const describeExit = (e: Exit) => (e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`);

/** Runs until every process has stopped; resolves to the exit status for the person's shell. */
export async function supervise(processes: DemoProcesses, options: SuperviseOptions): Promise<number> {
  const say = (text: string) => options.err(`start: ${text}\n`);
  // Changed by signal and exit handlers, read after `await`: declared wide on purpose.
  let phase = 'running' as 'running' | 'stopping' | 'hurrying';
  let stopRequestedAt = 0;
  let failed = false;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));

  function launch(spec: ProcessSpec): Supervised {
    // detached: a process group of its own, so the terminal's Ctrl-C reaches
    // this supervisor only, and each child gets the one signal we send it.
    const child = spawn(process.execPath, spec.args, { cwd: spec.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const output = Promise.all([relayLines(child.stdout!, `${spec.name}: `, options.out), relayLines(child.stderr!, `${spec.name}: `, options.err)]);
    const exited = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (e) => {
        say(`${spec.name} could not start: ${e.message}`);
        resolve({ code: 127, signal: null });
      });
    });
    const supervised: Supervised = { spec, child, closed: Promise.all([exited, output]).then(([e]) => e) };
    void supervised.closed.then((e) => {
      supervised.exit = e;
      if (phase !== 'running') return;
      failed = true;
      say(`${spec.name} stopped on its own (${describeExit(e)}): stopping the others`);
      void stop();
    });
    return supervised;
  }

  // The child only, not its process group: a worker's own subprocesses
  // (ipset, iptables) finish the command they are in.
  const signal = (s: Supervised, sig: NodeJS.Signals) => {
    if (s.exit === undefined) s.child.kill(sig);
  };

  async function stop(): Promise<void> {
    phase = 'stopping';
    say('stopping: each worker gets SIGTERM once and its shutdown deadline (DBFIFO_SHUTDOWN_TIMEOUT_MS); Ctrl-C again exits at once');
    for (const w of workers) signal(w, 'SIGTERM');
    await Promise.all(workers.map((w) => w.closed));
    // Only now: a worker finishing a text in flight still needs the local Twilio API.
    for (const s of services) signal(s, 'SIGTERM');
    await Promise.all(services.map((s) => s.closed));
    resolveStopped();
  }

  function hurry(): void {
    phase = 'hurrying';
    say('second Ctrl-C: exiting now');
    // A worker's second signal: runMain exits at once.
    for (const s of [...workers, ...services]) signal(s, 'SIGTERM');
    setTimeout(() => {
      for (const s of [...workers, ...services]) signal(s, 'SIGKILL');
    }, HURRY_KILL_MS).unref();
  }

  const onSignal = () => {
    const now = Date.now();
    if (phase === 'running') {
      stopRequestedAt = now;
      void stop();
    } else if (phase === 'stopping' && now - stopRequestedAt >= SAME_CTRL_C_MS) {
      hurry();
    }
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);

  const services = processes.services.map(launch);
  const workers = processes.workers.map(launch);
  await stopped;
  for (const s of signals) process.off(s, onSignal);

  if (phase === 'hurrying') return 130;
  // Killed by our SIGTERM is clean too: a worker dies of it only before
  // runMain took the signal over, so before it did any work.
  const unclean = [...workers, ...services].filter((s) => s.exit!.code !== 0 && s.exit!.signal !== 'SIGTERM');
  for (const s of unclean) say(`${s.spec.name}: ${describeExit(s.exit!)}`);
  if (failed || unclean.length > 0) return 1;
  say('every worker stopped cleanly; MariaDB and Redis keep running (tools/stack down stops them)');
  return 0;
}
