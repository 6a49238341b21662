// fifo_write never hangs the server and never splits or mixes lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineCollector, PipeHolder, makePipe, scalar, sqlWorld, connectText, type SqlWorld } from './helpers.ts';

const WRITERS = 8;
const LINES_PER_WRITER = 20;
const LINE_BYTES = 4000;

describe('fifo_write', () => {
  let world: SqlWorld;

  beforeAll(async () => {
    world = await sqlWorld('write');
  });

  afterAll(async () => {
    await world?.close();
  });

  it("answers 'false' at once when no process reads the pipe, and says why", async () => {
    const pipe = await makePipe('no-reader');
    try {
      const started = performance.now();
      expect(await scalar(world.sql, 'select fifo_write(?, ?)', [pipe.name, 'hello'])).toBe('false');
      expect(performance.now() - started).toBeLessThan(1000);
      expect(await scalar(world.sql, 'select fifo_error()')).toBe(`fifo_write: no reader on ${pipe.path} (ENXIO)`);
    } finally {
      await pipe.remove();
    }
  });

  it("answers 'false' after its bounded wait when the pipe stays full", async () => {
    const pipe = await makePipe('full');
    const holder = new PipeHolder(pipe.path);
    try {
      // Filled after fifo_write's first open: that open grows the pipe (DBFIFO_PIPE_SIZE).
      expect(await scalar(world.sql, 'select fifo_write(?, ?)', [pipe.name, 'first'])).toBe('true');
      holder.fill();
      const started = performance.now();
      expect(await scalar(world.sql, 'select fifo_write(?, ?, 300)', [pipe.name, 'late'])).toBe('false');
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(3000);
      expect(await scalar(world.sql, 'select fifo_error()')).toMatch(/had no room within 300 ms \(ETIMEDOUT\): its reader is not keeping up/);
    } finally {
      holder.close();
      await pipe.remove();
    }
  });

  it('writes once there is room again within the wait', async () => {
    const pipe = await makePipe('drained');
    const holder = new PipeHolder(pipe.path);
    const reader = new LineCollector(pipe.path);
    try {
      holder.fill();
      // The collector drains the pipe meanwhile; the write waits for room.
      expect(await scalar(world.sql, 'select fifo_write(?, ?, 5000)', [pipe.name, 'after-room'])).toBe('true');
      await reader.waitForLines(1);
      await new Promise((r) => setTimeout(r, 100));
      expect(reader.lines.at(-1)?.endsWith('after-room')).toBe(true);
    } finally {
      reader.close();
      holder.close();
      await pipe.remove();
    }
  });

  it(`${WRITERS} connections writing ${LINE_BYTES}-byte lines at once never interleave`, async () => {
    const pipe = await makePipe('concurrent');
    const reader = new LineCollector(pipe.path);
    const connections = await Promise.all(Array.from({ length: WRITERS }, () => connectText(world.db.url)));
    try {
      const answers = await Promise.all(
        connections.map(async (c, w) => {
          const letter = String.fromCharCode(97 + w);
          const results: string[] = [];
          for (let i = 0; i < LINES_PER_WRITER; i++) {
            results.push(await scalar<string>(c, 'select fifo_write(?, repeat(?, ?), 10000)', [pipe.name, letter, LINE_BYTES]));
          }
          return results;
        }),
      );
      expect(answers.flat().every((a) => a === 'true')).toBe(true);
      const lines = await reader.waitForLines(WRITERS * LINES_PER_WRITER);
      expect(lines).toHaveLength(WRITERS * LINES_PER_WRITER);
      const broken = lines.filter((l) => l.length !== LINE_BYTES || l !== l[0]!.repeat(LINE_BYTES));
      expect(broken).toEqual([]);
      const perWriter = new Map<string, number>();
      for (const l of lines) perWriter.set(l[0]!, (perWriter.get(l[0]!) ?? 0) + 1);
      expect([...perWriter.values()]).toEqual(Array(WRITERS).fill(LINES_PER_WRITER));
    } finally {
      await Promise.all(connections.map((c) => c.end()));
      reader.close();
      await pipe.remove();
    }
  });

  it('refuses a message over 4096 bytes with its newline instead of splitting it', async () => {
    const pipe = await makePipe('limit');
    const reader = new LineCollector(pipe.path);
    try {
      expect(await scalar(world.sql, 'select fifo_write(?, repeat(?, 4096))', [pipe.name, 'x'])).toBe('false');
      expect(await scalar(world.sql, 'select fifo_error()')).toMatch(/over the 4096-byte line limit/);
      expect(await scalar(world.sql, 'select fifo_write(?, repeat(?, 4095))', [pipe.name, 'y'])).toBe('true');
      expect(await scalar(world.sql, 'select fifo_write(?, ?)', [pipe.name, 'two\nlines'])).toBe('false');
      expect(await scalar(world.sql, 'select fifo_error()')).toMatch(/newline before its end/);
      await reader.waitForLines(1);
      await new Promise((r) => setTimeout(r, 100));
      expect(reader.lines).toEqual(['y'.repeat(4095)]);
    } finally {
      reader.close();
      await pipe.remove();
    }
  });

  it("NULL arguments answer 'false' and fifo_error() names the argument", async () => {
    const pipe = await makePipe('nulls');
    try {
      const cases: [string, unknown[], string][] = [
        ['select fifo_write(NULL, ?)', ['x'], 'fifo_write: path is NULL'],
        ['select fifo_write(?, NULL)', [pipe.name], 'fifo_write: message is NULL'],
        ['select fifo_write(?, ?, NULL)', [pipe.name, 'x'], 'fifo_write: timeout_ms is NULL'],
        ['select fifo_create(NULL)', [], 'fifo_create: path is NULL'],
        ['select fifo_remove(NULL)', [], 'fifo_remove: path is NULL'],
      ];
      for (const [query, params, why] of cases) {
        expect(await scalar(world.sql, query, params), query).toBe('false');
        expect(await scalar(world.sql, 'select fifo_error()'), query).toBe(why);
      }
      expect(await scalar(world.sql, 'select fifo_read(NULL)')).toBeNull();
      expect(await scalar(world.sql, 'select fifo_error()')).toBe('fifo_read: path is NULL');
    } finally {
      await pipe.remove();
    }
  });

  it('fifo_error() is NULL again after a call that succeeded', async () => {
    const pipe = await makePipe('error-reset');
    const reader = new LineCollector(pipe.path);
    try {
      expect(await scalar(world.sql, "select fifo_write('../x', 'm')")).toBe('false');
      expect(await scalar(world.sql, 'select fifo_error()')).not.toBeNull();
      expect(await scalar(world.sql, 'select fifo_write(?, ?)', [pipe.name, 'ok'])).toBe('true');
      expect(await scalar(world.sql, 'select fifo_error()')).toBeNull();
    } finally {
      reader.close();
      await pipe.remove();
    }
  });
});
