// A stalled consumer: a process holds the pipe open and stops reading (a
// paused worker, SIGSTOP, a stuck backend). fifo_write waits its bounded
// wait once, then fails fast: every further write answers 'false' at once
// until the reader has emptied half the pipe. Wide margins: this checks
// "one wait, not one per write", not a speed.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineCollector, PipeHolder, makePipe, scalar, sqlWorld, type SqlWorld } from './helpers.ts';

const WAIT_MS = 200;
const WRITES = 50;
const DEFAULT_PIPE_SIZE = 1024 * 1024;

/** What fifo.so grows a pipe to by default: 1 MiB, or the kernel's maximum when lower. */
function expectedPipeSize(): number {
  const max = Number(readFileSync('/proc/sys/fs/pipe-max-size', 'utf8').trim());
  return Math.min(DEFAULT_PIPE_SIZE, max);
}

interface FailFastInfo {
  write_timeout_ms: number;
  pipe_size: number;
  pipe_max_size: number;
  pipes_grown: number;
  pipes_not_grown: number;
  fail_fast: { slots: number; marked: number; pipes: { name: string; failing_for_ms: number; refused: number }[] };
}

describe('fifo_write fails fast per pipe', () => {
  let world: SqlWorld;

  beforeAll(async () => {
    world = await sqlWorld('fail_fast');
  });

  afterAll(async () => {
    await world?.close();
  });

  async function info(): Promise<FailFastInfo> {
    return JSON.parse(await scalar<string>(world.sql, 'select fifo_info()')) as FailFastInfo;
  }

  it("waits once, then answers 'false' at once, says why, and recovers when the reader catches up", async () => {
    const pipe = await makePipe('stalled');
    const holder = new PipeHolder(pipe.path);
    try {
      // The first write opens the pipe and grows it to DBFIFO_PIPE_SIZE.
      expect(await scalar(world.sql, 'select fifo_write(?, ?)', [pipe.name, 'first'])).toBe('true');
      expect(holder.fill()).toBeGreaterThanOrEqual(expectedPipeSize() - 4096);

      const started = performance.now();
      expect(await scalar(world.sql, 'select fifo_write(?, ?, ?)', [pipe.name, 'waits', WAIT_MS])).toBe('false');
      expect(performance.now() - started).toBeGreaterThanOrEqual(WAIT_MS - 10);
      expect(await scalar(world.sql, 'select fifo_error()')).toBe(
        `fifo_write: ${pipe.path} had no room within ${WAIT_MS} ms (ETIMEDOUT): its reader is not keeping up; writes to it fail fast until it is half empty`,
      );

      const answers: string[] = [];
      const refusedFrom = performance.now();
      for (let i = 0; i < WRITES; i++) answers.push(await scalar<string>(world.sql, 'select fifo_write(?, ?, ?)', [pipe.name, `row-${i}`, WAIT_MS]));
      const elapsed = performance.now() - refusedFrom;
      expect(answers).toEqual(Array(WRITES).fill('false'));
      // One wait each would be 50 × 200 ms = 10 s; failing fast it is 50 round trips.
      expect(elapsed).toBeLessThan((WRITES * WAIT_MS) / 10);

      const error = await scalar<string>(world.sql, 'select fifo_error()');
      expect(error).toMatch(new RegExp(`^fifo_write: ${pipe.path} is full: its reader is not keeping up; failing fast for \\d+ ms, ${WRITES} writes refused \\(EAGAIN\\)$`));
      const during = await info();
      expect(during.fail_fast.marked).toBeGreaterThanOrEqual(1);
      expect(during.fail_fast.pipes).toContainEqual({ name: pipe.name, failing_for_ms: expect.any(Number), refused: WRITES });

      // The reader catches up: the next write goes in and clears the mark.
      holder.drain();
      expect(await scalar(world.sql, 'select fifo_write(?, ?, ?)', [pipe.name, 'back', WAIT_MS])).toBe('true');
      expect(await scalar(world.sql, 'select fifo_error()')).toBeNull();
      expect((await info()).fail_fast.pipes.map((p) => p.name)).not.toContain(pipe.name);
    } finally {
      holder.close();
      await pipe.remove();
    }
  });

  it('trigger rows commit at once while the consumer is stalled, and ring again once it reads', async () => {
    const pipe = await makePipe('stalled-trigger');
    const holder = new PipeHolder(pipe.path);
    let reader: LineCollector | undefined;
    try {
      await world.sql.query('create table rows_rung (id int auto_increment primary key, rang varchar(5))');
      // A per-call wait far above the default, so that "no wait per row" shows plainly.
      await world.sql.query(`create trigger rows_rung_ring before insert on rows_rung for each row set new.rang = fifo_write(?, 'row', ?)`, [pipe.name, WAIT_MS]);
      await world.sql.query('insert into rows_rung () values ()');
      holder.fill();

      const started = performance.now();
      for (let i = 0; i < WRITES; i++) await world.sql.query('insert into rows_rung () values ()');
      const elapsed = performance.now() - started;
      // At most the first INSERT waits; 50 waits would be 10 s.
      expect(elapsed).toBeLessThan(WAIT_MS + (WRITES * WAIT_MS) / 10);
      const [rows] = await world.sql.query({ sql: 'select rang, count(*) from rows_rung group by rang order by rang', rowsAsArray: true });
      expect(rows).toEqual([
        ['false', WRITES],
        ['true', 1],
      ]);

      holder.drain();
      reader = new LineCollector(pipe.path);
      await world.sql.query('insert into rows_rung () values ()');
      expect(await reader.waitForLines(1)).toEqual(['row']);
      expect(await scalar(world.sql, 'select rang from rows_rung order by id desc limit 1')).toBe('true');
    } finally {
      reader?.close();
      holder.close();
      await world.sql.query('drop table if exists rows_rung');
      await pipe.remove();
    }
  });

  it('fifo_info() reports the settings: a 10 ms default wait, 1 MiB pipes, the fail-fast table', async () => {
    const settings = await info();
    expect(settings).toMatchObject({ write_timeout_ms: 10, pipe_size: DEFAULT_PIPE_SIZE, fail_fast: { slots: 64 } });
    expect(settings.pipe_max_size).toBe(Number(readFileSync('/proc/sys/fs/pipe-max-size', 'utf8').trim()));
    expect(settings.pipes_grown).toBeGreaterThanOrEqual(1);
  });
});
