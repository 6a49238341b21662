// `npm run bench` (all scenarios) or `npm run bench -- <scenario>...`; each
// scenario saves its JSON result, then docs/benchmarks.md and the SVG chart
// are rendered from every saved result.
import { loadBenchConfig } from './config.ts';
import { benchStack } from './stack.ts';
import { saveResult, type ScenarioResult } from './results.ts';
import { renderDocs } from './render-docs.ts';
import { triggerCost } from './scenarios/trigger-cost.ts';
import { bulk } from './scenarios/bulk.ts';
import { latency } from './scenarios/latency.ts';
import { workerSide } from './scenarios/worker.ts';
import { consumerFaults } from './scenarios/consumer-faults.ts';
import type { StackEnv } from '@dbfifo/test-utils';
import type { BenchConfig } from './config.ts';

export const SCENARIOS: Record<string, (stack: StackEnv, config: BenchConfig) => Promise<ScenarioResult>> = {
  latency,
  'trigger-cost': triggerCost,
  bulk,
  'consumer-faults': consumerFaults,
  worker: workerSide,
};

async function main(argv: string[]): Promise<void> {
  const docsOnly = argv.includes('--docs-only');
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !(n in SCENARIOS));
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  if (!docsOnly) {
    const config = loadBenchConfig();
    const stack = await benchStack(config);
    for (const name of names.length ? names : Object.keys(SCENARIOS)) {
      process.stderr.write(`[bench] ${name} …\n`);
      const result = await SCENARIOS[name]!(stack, config);
      process.stderr.write(`[bench] ${name}: saved ${saveResult(result)}\n`);
    }
  }
  process.stderr.write(`[bench] wrote ${renderDocs(Object.keys(SCENARIOS)).join(', ')}\n`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0), // pools and sockets of a scenario must not keep the run alive
  (error: unknown) => {
    process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
