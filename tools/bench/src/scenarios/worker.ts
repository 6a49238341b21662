import type { StackEnv } from '@dbfifo/test-utils';
import type { ScenarioResult } from '../results.ts';
import type { BenchConfig } from '../config.ts';
import { machineInfo } from '../stack.ts';

export async function workerSide(stack: StackEnv, _config: BenchConfig): Promise<ScenarioResult> {
  return { scenario: 'worker', title: 'Worker side', machine: await machineInfo(stack), params: {}, method: [], table: { headers: [], rows: [] }, notes: ['not measured yet'], data: null };
}
