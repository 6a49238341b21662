import { describe, expect, it } from 'vitest';
import { RestoreBatcher } from './batch.ts';
import type { Runner } from './exec.ts';

describe('RestoreBatcher', () => {
  it('runs the first line at once and groups what arrives meanwhile into one command', async () => {
    const inputs: string[] = [];
    let release!: () => void;
    const run: Runner = async (_argv, o) => {
      inputs.push(o?.input ?? '');
      if (inputs.length === 1) await new Promise<void>((r) => (release = r));
      return { ok: true, stdout: '', stderr: '' };
    };
    const b = new RestoreBatcher(run);
    const first = b.submit('add s 192.0.2.1 timeout 0');
    const rest = [2, 3, 4].map((i) => b.submit(`add s 192.0.2.${i} timeout 0`));
    await new Promise((r) => setTimeout(r, 5));
    release();
    await Promise.all([first, ...rest]);
    expect(inputs).toEqual(['add s 192.0.2.1 timeout 0\n', 'add s 192.0.2.2 timeout 0\nadd s 192.0.2.3 timeout 0\nadd s 192.0.2.4 timeout 0\n']);
  });

  it('gives each caller its own result when a batch fails', async () => {
    let calls = 0;
    let release!: () => void;
    const run: Runner = async (_argv, o) => {
      if (calls++ === 0) await new Promise<void>((r) => (release = r));
      if (o?.input?.includes('bad')) throw new Error(`failed: ${o.input.trim().split('\n').length} lines`);
      return { ok: true, stdout: '', stderr: '' };
    };
    const b = new RestoreBatcher(run);
    const first = b.submit('add s 192.0.2.1 timeout 0');
    const good = b.submit('add s 192.0.2.2 timeout 0');
    const bad = b.submit('add s bad');
    release();
    await first;
    await expect(good).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow('failed: 1 lines');
  });
});
