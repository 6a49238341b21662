// Builds tools/bench/native/noop_udf.c and loads it into the *benchmark's own*
// stack instance (never the shared one), so trigger-cost can tell the server's
// per-call UDF cost apart from fifo.so's. Returns a reason when it cannot.
import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { StackEnv } from '@dbfifo/test-utils';
import { benchRoot } from './results.ts';

export async function ensureNoopUdf(stack: StackEnv): Promise<string | undefined> {
  if (stack.stackName === 'main') return 'not loaded into the shared stack';
  const source = join(benchRoot, 'native/noop_udf.c');
  const built = join(benchRoot, 'native/build/bench_noop.so');
  const plugin = join(stack.stateDir, 'mariadb/plugin/bench_noop.so');
  try {
    execFileSync('mkdir', ['-p', join(benchRoot, 'native/build')]);
    execFileSync('gcc', ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-fPIC', '-shared', '-O2', '-fvisibility=hidden',
      '-I/usr/include/mariadb/server', '-o', built, source], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (!existsSync(plugin)) {
      copyFileSync(built, plugin);
      chmodSync(plugin, 0o755);
    }
    const c = await mysql.createConnection({ uri: stack.adminUrl });
    try {
      await c.query("CREATE FUNCTION IF NOT EXISTS bench_noop RETURNS STRING SONAME 'bench_noop.so'");
    } finally {
      await c.end();
    }
    return undefined;
  } catch (e) {
    return `no-op UDF unavailable: ${(e as Error).message.split('\n')[0]}`;
  }
}
