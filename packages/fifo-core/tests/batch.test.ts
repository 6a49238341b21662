// Batch handlers for real on a pipe, in direct and queue mode: a burst is
// handled in a few calls, never two messages of one key in a call or two
// calls on one key at once, and a failure retries only the message that failed.
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { stackEnv } from '@dbfifo/test-utils';
import type { Message, WorkerDefinition } from '../src/contract.ts';
import { requireJsonObject } from '../src/message.ts';
import { startWorker, type RunningWorker, type WorkerConfig } from '../src/worker.ts';
import { db, memoryLogger, runtimeFor, sleep, tempDir, writeLines } from './helpers.ts';

const running: RunningWorker[] = [];
const queues: Queue[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop()));
  for (const q of queues.splice(0)) {
    await q.obliterate({ force: true }).catch(() => {});
    await q.close();
  }
});

async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

interface Bell { id: number; v: number }

/** Records every call; a key in two calls at once, or twice in one call, is recorded too. */
function recorder(o: { failOnce?: number } = {}) {
  const calls: Bell[][] = [];
  const handled = new Map<number, number[]>();
  const busy = new Set<number>();
  let overlap = 0;
  let failed = false;
  const def: WorkerDefinition<WorkerConfig, Bell> = {
    name: 'batcher',
    parse: (m) => requireJsonObject(m) as unknown as Bell,
    key: (m) => String(m.body.id),
    async handleBatch(messages: readonly Message<Bell>[]) {
      const bodies = messages.map((m) => m.body);
      calls.push(bodies);
      if (new Set(bodies.map((b) => b.id)).size !== bodies.length) overlap++;
      for (const b of bodies) {
        if (busy.has(b.id)) overlap++;
        busy.add(b.id);
      }
      await sleep(5);
      for (const b of bodies) busy.delete(b.id);
      return bodies.map((b) => {
        if (b.id === o.failOnce && !failed) {
          failed = true;
          return new Error('transient');
        }
        handled.set(b.id, [...(handled.get(b.id) ?? []), b.v]);
        return undefined;
      });
    },
  };
  return { def, calls, handled, overlap: () => overlap };
}

describe('batch handlers', () => {
  it('direct mode: a burst goes in a few calls of at most DBFIFO_BATCH_MAX, one message per key, and only the failed message runs again', async () => {
    const r = recorder({ failOnce: 7 });
    const { logger } = memoryLogger();
    const runtime = runtimeFor('batcher', tempDir(), { DBFIFO_BATCH_MAX: '50', DBFIFO_CONCURRENCY: '2', DBFIFO_DIRECT_BACKOFF_MS: '10' });
    const w = startWorker(r.def, { runtime, db }, { logger });
    running.push(w);
    await w.ready;
    const bells = Array.from({ length: 600 }, (_, i) => ({ id: i % 200, v: i }));
    writeLines(runtime.pipe, bells.map((b) => JSON.stringify(b)));
    await until(() => w.metrics.handled + w.metrics.merged === 600 && w.metrics.inFlight === 0 && r.handled.size === 200, 'every doorbell handled or merged');
    expect(r.overlap()).toBe(0);
    expect(r.calls.length).toBeLessThan(60);
    expect(Math.max(...r.calls.map((c) => c.length))).toBeLessThanOrEqual(50);
    expect(Math.max(...r.calls.map((c) => c.length))).toBeGreaterThan(1);
    // Per key: the values handled only ever grow, and the newest is among them.
    for (const [id, vs] of r.handled) {
      expect(vs).toEqual([...vs].sort((a, b) => a - b));
      expect(vs.at(-1)).toBe(400 + id);
    }
    expect(w.metrics.failed).toBe(1);
    // The failed message ran again alone or with newer doorbells; nothing else ran twice for the same value.
    const values = [...r.handled.values()].flat();
    expect(new Set(values).size).toBe(values.length);
  });

  it('queue mode: the jobs a consumer runs at once share one batch handler call', async () => {
    const r = recorder({ failOnce: 3 });
    const { logger } = memoryLogger();
    const dir = tempDir();
    const runtime = runtimeFor('batcher', dir, {
      DBFIFO_MODE: 'queue',
      REDIS_URL: stackEnv().redisUrl,
      DBFIFO_QUEUE_PREFIX: 'fifo-core-test',
      DBFIFO_QUEUE_NAME: `fifo-core-batch-${process.pid}-${Date.now().toString(36)}`,
      DBFIFO_QUEUE_BACKOFF_MS: '10',
      DBFIFO_BATCH_MAX: '20',
      DBFIFO_CONCURRENCY: '1',
    });
    const w = startWorker(r.def, { runtime, db }, { logger });
    running.push(w);
    queues.push(new Queue(runtime.queue.name, { connection: { url: stackEnv().redisUrl }, prefix: runtime.queue.prefix }));
    await w.ready;
    writeLines(runtime.pipe, Array.from({ length: 100 }, (_, i) => JSON.stringify({ id: i, v: i })));
    await until(() => r.handled.size === 100, 'every job handled');
    expect(Math.max(...r.calls.map((c) => c.length))).toBeGreaterThan(1);
    expect(Math.max(...r.calls.map((c) => c.length))).toBeLessThanOrEqual(20);
    expect(r.overlap()).toBe(0);
    expect([...r.handled.values()].every((vs) => vs.length === 1)).toBe(true);
  });
});
