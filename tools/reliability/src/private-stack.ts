// The private stack instance for cases that restart servers, and an async
// `tools/stack <command>` so the worker in this process keeps running while
// a server goes down and comes back.
import { execFile } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureStack, type StackEnv } from '@dbfifo/test-utils';
import { privateStack } from './config.ts';

const run = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export function upPrivateStack(): StackEnv {
  return ensureStack(privateStack.name, privateStack.env);
}

export async function stackAsync(command: 'restart-db' | 'stop-redis' | 'start-redis' | 'stop-db' | 'start-db'): Promise<number> {
  const t0 = Date.now();
  await run(join(repoRoot, 'tools/stack'), [command], { env: { ...process.env, STACK_NAME: privateStack.name, ...privateStack.env } });
  return Date.now() - t0;
}

export function privatePipe(stack: StackEnv, name: string): string {
  return join(stack.pipeDir, `${name}-${process.pid}-${Date.now().toString(36)}`);
}
