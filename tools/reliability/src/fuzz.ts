// The libFuzzer part of the full suite: native/'s own harnesses (path
// resolver and line framing, built with ASan + UBSan) for a bounded time
// each. A crash or sanitizer report makes make fail, and this with it.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sizes } from './config.ts';
import { report } from './report.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function runMake(seconds: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun) => {
    const child = spawn('make', ['-C', 'native', 'fuzz', `FUZZ_SECONDS=${seconds}`], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (b: Buffer) => {
      output += b.toString();
      process.stderr.write(b);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('exit', (code) => resolveRun({ code, output }));
  });
}

const { code, output } = await runMake(sizes.fuzzSeconds);
// libFuzzer's -print_final_stats lines, one block per target.
const runs = [...output.matchAll(/stat::number_of_executed_units:\s+(\d+)/g)].map((m) => Number(m[1]));
const crashed = /ERROR: (libFuzzer|AddressSanitizer|UndefinedBehaviorSanitizer)|SUMMARY: \w+Sanitizer/.test(output);
report('fuzz', { targets: runs.length, secondsPerTarget: sizes.fuzzSeconds, executions: runs, crashed, makeExit: code });
process.exit(code === 0 && !crashed ? 0 : 1);
