// fifo_read: one line per call, never more, and NULL when its time is up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipeHolder, makePipe, scalar, sqlWorld, type Pipe, type SqlWorld } from './helpers.ts';

describe('fifo_read', () => {
  let world: SqlWorld;
  let pipe: Pipe;
  let holder: PipeHolder;

  beforeAll(async () => {
    world = await sqlWorld('read');
    pipe = await makePipe('read');
    // Keeps the pipe alive between calls: the kernel drops what is in a pipe
    // nobody holds open.
    holder = new PipeHolder(pipe.path);
  });

  afterAll(async () => {
    holder?.close();
    await pipe?.remove();
    await world?.close();
  });

  it('returns one line at a time, without its newline (or \\r)', async () => {
    holder.write('first\r\nsecond\nthird\n');
    expect(await scalar(world.sql, 'select fifo_read(?, 1000)', [pipe.name])).toBe('first');
    expect(await scalar(world.sql, 'select fifo_read(?, 1000)', [pipe.name])).toBe('second');
    expect(await scalar(world.sql, 'select fifo_read(?)', [pipe.path])).toBe('third');
  });

  it('returns NULL after its timeout when no line comes, and says so', async () => {
    const started = performance.now();
    expect(await scalar(world.sql, 'select fifo_read(?, 200)', [pipe.name])).toBeNull();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(3000);
    expect(await scalar(world.sql, 'select fifo_error()')).toBe(`fifo_read: ${pipe.path} gave no line within 200 ms (ETIMEDOUT)`);
  });

  it('reads a line written by fifo_write', async () => {
    expect(await scalar(world.sql, 'select fifo_write(?, ?)', [pipe.name, '{"table":"news","op":"update","id":42}'])).toBe('true');
    expect(await scalar(world.sql, 'select fifo_read(?, 1000)', [pipe.name])).toBe('{"table":"news","op":"update","id":42}');
  });

  it('reads only a FIFO inside the allowed directory', async () => {
    expect(await scalar(world.sql, "select fifo_read('/etc/passwd', 10)")).toBeNull();
    expect(await scalar(world.sql, 'select fifo_error()')).toMatch(/outside the allowed directory/);
  });
});
