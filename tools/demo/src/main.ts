// `npm start`'s last step: tools/start execs this once the stack, the schemas
// and the demo environment (tools/demo/env.sh) are ready. It runs the demo
// services and every worker, relays their output line by line, stops them
// on Ctrl-C (src/supervisor.ts), then removes the network namespace the demo
// created for the firewall, and exits 0 after a clean stop.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { demoProcesses } from './processes.ts';
import { supervise } from './supervisor.ts';

const root = resolve(import.meta.dirname, '../../..');

// `npm start | head` closing early must not crash the supervisor mid-stop.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

let status: number;
try {
  status = await supervise(demoProcesses(root, process.env), {
    env: process.env,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
} catch (e) {
  process.stderr.write(`start: ${(e as Error).message}\n`);
  status = 1;
}

// The demo's bans live in the database; the next start's reconcile puts them back.
const netns = process.env.FIREWALL_DEMO_NETNS;
if (process.env.FIREWALL_DEMO_NETNS_CREATED === '1' && netns) {
  await promisify(execFile)('ip', ['netns', 'del', netns]).catch((e: Error) => process.stderr.write(`start: ip netns del ${netns}: ${e.message}\n`));
}
if (status === 130) {
  // Stopped by a second Ctrl-C: end as interrupted programs do, by SIGINT, so
  // npm and the shell see an interrupt, not a failure (no npm error block).
  process.kill(process.pid, 'SIGINT');
}
process.exitCode = status;
