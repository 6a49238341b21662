// What `npm start` runs: the demo's services and every worker package
// (a package with a `serve` script), each as one node process, the way
// systemd runs a worker in production (dbfifo@.service: node --import tsx
// packages/<name>/src/main.ts). Not through `npm run` or the tsx CLI: each
// puts a process of its own between us and the worker that relays signals
// its own way (tsx SIGKILLs a child that does not acknowledge a relayed
// signal within 30 ms, as a worker busy with a burst may not).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export interface ProcessSpec {
  /** The prefix of its output lines: the Nx project name for a worker. */
  name: string;
  cwd: string;
  /** Arguments to node. */
  args: string[];
}

export interface DemoProcesses {
  /** Stopped after the workers, so a text in flight still reaches the local Twilio API. */
  services: ProcessSpec[];
  workers: ProcessSpec[];
}

interface PackageJson {
  nx?: { name?: string };
  scripts?: Record<string, string>;
}

/** The TypeScript file a `tsx <file>` script runs; anything else is refused by name. */
function tsxScriptFile(dir: string, script: string, command: string): string {
  const match = /^tsx ([\w./-]+\.ts)$/.exec(command.trim());
  if (!match) throw new Error(`${dir}: tools/start runs a "${script}" script of the form "tsx <file.ts>", got "${command}"`);
  return match[1]!;
}

function nodeArgs(file: string, ...rest: string[]): string[] {
  return ['--import', 'tsx', file, ...rest];
}

export function workerProcesses(root: string): ProcessSpec[] {
  const packagesDir = join(root, 'packages');
  return readdirSync(packagesDir)
    .sort()
    .flatMap((dir) => {
      const manifest = join(packagesDir, dir, 'package.json');
      if (!existsSync(manifest)) return [];
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as PackageJson;
      const serve = pkg.scripts?.serve;
      if (serve === undefined) return [];
      return [{ name: pkg.nx?.name ?? dir, cwd: join(packagesDir, dir), args: nodeArgs(tsxScriptFile(dir, 'serve', serve)) }];
    });
}

export function demoProcesses(root: string, env: NodeJS.ProcessEnv): DemoProcesses {
  const staticGen = join(root, 'packages/static-gen');
  const preview = (JSON.parse(readFileSync(join(staticGen, 'package.json'), 'utf8')) as PackageJson).scripts?.preview ?? '';
  return {
    services: [
      { name: 'twilio-local', cwd: root, args: nodeArgs('tools/twilio-local/src/main.ts', '--port', env.TWILIO_LOCAL_PORT ?? '8089') },
      { name: 'preview', cwd: staticGen, args: nodeArgs(tsxScriptFile('static-gen', 'preview', preview)) },
      { name: 'webhook-receiver', cwd: root, args: nodeArgs('tools/webhook-receiver/src/main.ts', '--port', env.WEBHOOK_DEMO_PORT ?? '8097') },
    ],
    workers: workerProcesses(root),
  };
}
