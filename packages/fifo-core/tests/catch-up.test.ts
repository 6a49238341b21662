// Doorbells lost and caught up from the rows, for real on a pipe: the pipe
// found full (writers answered EAGAIN), doorbells dropped past the pending
// bound, a handler that gave up during an outage. The "table" is in memory:
// rows that must each get exactly one effect, from a handler or reconcile;
// no periodic reconcile is configured, so only catch-up can find the lost ones.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { readDeadLetters } from '../src/dead-letter.ts';
import type { WorkerDefinition } from '../src/contract.ts';
import { requireJsonObject } from '../src/message.ts';
import { startWorker, type RunningWorker, type WorkerConfig } from '../src/worker.ts';
import { db, memoryLogger, runtimeFor, sleep, tempDir, writeLines } from './helpers.ts';

const running: RunningWorker[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop()));
});

async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Rows and their effects: a handler or reconcile gives a row its effect once (a claim, as the workers do). */
class Table {
  readonly rows = new Set<number>();
  readonly effects = new Map<number, number>();
  down = false;
  insert(ids: number[]): void {
    for (const id of ids) this.rows.add(id);
  }
  claim(id: number): boolean {
    if (!this.rows.has(id) || this.effects.has(id)) return false;
    this.effects.set(id, 1);
    return true;
  }
  get undone(): number {
    return [...this.rows].filter((id) => !this.effects.has(id)).length;
  }
  get twice(): number {
    return [...this.effects.values()].filter((n) => n > 1).length;
  }
}

function worker(table: Table, o: { handleMs?: number } = {}): WorkerDefinition<WorkerConfig, { id: number }> {
  return {
    name: 'catch-up',
    parse: (m) => requireJsonObject(m) as { id: number },
    key: (m) => `row:${m.body.id}`,
    async handle(m) {
      if (table.down) throw new Error('provider down');
      if (o.handleMs) await sleep(o.handleMs);
      table.claim(m.body.id);
    },
    async reconcile() {
      if (table.down) return { fixed: 0, more: true };
      let fixed = 0;
      for (const id of table.rows) if (table.claim(id)) fixed++;
      return { fixed };
    },
  };
}

function start(def: WorkerDefinition<WorkerConfig, { id: number }>, extra: Record<string, string> = {}) {
  const { logger, lines: logs } = memoryLogger();
  const runtime = runtimeFor(def.name, tempDir(), { DBFIFO_CATCHUP_SETTLE_MS: '100', ...extra });
  const w = startWorker(def, { runtime, db }, { logger });
  running.push(w);
  return { w, pipe: runtime.pipe, deadFile: runtime.deadLetterFile, logs };
}

describe('catch-up from the rows (direct mode)', () => {
  it('a pipe found full: the writers refused are caught up at once, each row handled exactly once', async () => {
    const table = new Table();
    const { w, pipe, logs } = start(worker(table));
    await w.ready;
    await until(() => !w.catchingUp && table.rows.size === 0, 'the start reconcile');
    // This loop keeps the reader (same process) from running: the pipe fills and refuses writes, as fifo_write sees it.
    const fd = fs.openSync(pipe, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    let refused = 0;
    try {
      for (let id = 1; refused < 100; id++) {
        table.insert([id]);
        try {
          fs.writeSync(fd, `{"id":${id}}\n`);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
          refused++;
        }
      }
    } finally {
      fs.closeSync(fd);
    }
    await until(() => table.undone === 0, `all ${table.rows.size} rows done (${refused} doorbells refused)`);
    expect(table.twice).toBe(0);
    expect(w.metrics.catchUps).toBeGreaterThanOrEqual(1);
    await until(() => !w.catchingUp, 'the episode to end');
    expect(logs.filter((l) => String(l.msg).startsWith('doorbells may have been lost'))).toHaveLength(1);
    expect(logs.find((l) => String(l.msg).startsWith('doorbells may have been lost'))).toMatchObject({ reason: 'pipe_full' });
    expect(logs.filter((l) => String(l.msg).startsWith('caught up from the rows'))).toHaveLength(1);
  });

  it('past DBFIFO_PENDING_MAX doorbells are dropped, not waited for, and caught up from the rows', async () => {
    const table = new Table();
    const { w, pipe } = start(worker(table, { handleMs: 3 }), { DBFIFO_PENDING_MAX: '50', DBFIFO_CONCURRENCY: '2' });
    await w.ready;
    const ids = Array.from({ length: 1000 }, (_, i) => i + 1);
    table.insert(ids);
    for (let i = 0; i < ids.length; i += 100) {
      writeLines(pipe, ids.slice(i, i + 100).map((id) => `{"id":${id}}`));
      await sleep(2);
    }
    await until(() => w.metrics.received === 1000, 'every doorbell read');
    await until(() => table.undone === 0, 'every row done');
    expect(table.twice).toBe(0);
    expect(w.metrics.dropped).toBeGreaterThan(0);
    expect(w.metrics.handled).toBeLessThan(1000);
    expect(w.metrics.pending).toBeLessThanOrEqual(50);
  });

  it('a handler that gave up during an outage: its rows are caught up once the outage ends, without a periodic reconcile', async () => {
    const table = new Table();
    const { w, pipe, deadFile } = start(worker(table), { DBFIFO_DIRECT_ATTEMPTS: '2', DBFIFO_DIRECT_BACKOFF_MS: '10' });
    await w.ready;
    table.down = true;
    table.insert([1, 2, 3]);
    writeLines(pipe, ['{"id":1}', '{"id":2}', '{"id":3}']);
    await until(() => w.metrics.failed === 6, 'two runs of each message');
    expect(table.undone).toBe(3);
    expect(w.catchingUp).toBe(true);
    await sleep(300);
    table.down = false;
    await until(() => table.undone === 0, 'the rows done after the outage', 10_000);
    expect(table.twice).toBe(0);
    // Doorbells left to the catch-up are not set aside for a person: their rows were the truth all along.
    expect(await readDeadLetters(deadFile)).toEqual([]);
  });

  it('without a reconcile nothing can be caught up: past the bound lines are set aside in the dead-letter file, never silently dropped', async () => {
    const handled: string[] = [];
    const { w, pipe, deadFile, logs } = start(
      { name: 'no-reconcile', key: (m) => m.raw, handle: async (m) => { await sleep(20); handled.push(m.raw); } },
      { DBFIFO_PENDING_MAX: '5', DBFIFO_CONCURRENCY: '1' },
    );
    await w.ready;
    writeLines(pipe, Array.from({ length: 30 }, (_, i) => `line-${i}`));
    await until(() => w.metrics.received === 30, 'every line read');
    let dead = await readDeadLetters(deadFile);
    for (let i = 0; i < 100 && handled.length + dead.length < 30; i++) dead = await sleep(50).then(() => readDeadLetters(deadFile));
    expect(handled.length + dead.length).toBe(30);
    expect(dead.length).toBeGreaterThan(0);
    expect(dead.every((d) => d.reason === 'pending_full')).toBe(true);
    expect(logs.filter((l) => String(l.msg).startsWith('pending set full'))).toHaveLength(1);
  });
});
