// Where the local stack (tools/stack) is and how to reach it. Tests call
// `ensureStack()` once (vitest globalSetup) so a bare `vitest run` also works.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StackEnv {
  stackName: string;
  databaseUrl: string;
  adminUrl: string;
  redisUrl: string;
  pipeDir: string;
  pipeMode: string;
  pipeGroup: string;
  mysqlPort: number;
  redisPort: number;
  mysqlSocket: string;
  mariadbClient: string;
  stateDir: string;
}

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function envFile(stackName: string): string {
  const state = stackName === 'main' ? join(repoRoot, '.stack') : join(repoRoot, '.stack/instances', stackName);
  return join(state, 'env.json');
}

/** Starts the stack unless its env file is there and its servers answer (tools/stack up is idempotent and locked). */
export function ensureStack(stackName = 'main', extraEnv: Record<string, string> = {}): StackEnv {
  execFileSync(join(repoRoot, 'tools/stack'), ['up'], {
    env: { ...process.env, STACK_NAME: stackName, ...extraEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return stackEnv(stackName);
}

/** The settings of a running stack, read from the env.json `tools/stack up` writes. */
export function stackEnv(stackName = 'main'): StackEnv {
  const file = envFile(stackName);
  if (!existsSync(file)) throw new Error(`stack '${stackName}' is not up: run tools/stack up`);
  return JSON.parse(readFileSync(file, 'utf8')) as StackEnv;
}

/** Runs a tools/stack sub-command (e.g. 'restart-db') on a named stack. */
export function stackCommand(command: string, stackName = 'main', extraEnv: Record<string, string> = {}): void {
  execFileSync(join(repoRoot, 'tools/stack'), [command], {
    env: { ...process.env, STACK_NAME: stackName, ...extraEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
