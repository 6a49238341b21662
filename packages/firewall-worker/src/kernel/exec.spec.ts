// The runner turns every command failure into a result or an error, never a
// crash: the worker must keep running whatever the kernel tools do.
import { describe, expect, it } from 'vitest';
import { CommandError } from '../errors.ts';
import { createRunner } from './exec.ts';

describe('createRunner', () => {
  const run = createRunner();

  it('a command that exits before reading a large input rejects with its exit code (no EPIPE crash)', async () => {
    const input = 'add dbfifo4 192.0.2.1\n'.repeat(200_000); // ~4 MB, far more than a pipe buffer
    const err = await run(['sh', '-c', 'echo "Hash is full" >&2; exit 1'], { input }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).exitCode).toBe(1);
    expect((err as CommandError).message).toMatch(/Hash is full/);
  });

  it('a check that fails resolves with ok=false', async () => {
    expect(await run(['false'], { check: true })).toMatchObject({ ok: false });
  });

  it('feeds the input to the command', async () => {
    expect((await run(['cat'], { input: 'a\nb\n' })).stdout).toBe('a\nb\n');
  });
});
