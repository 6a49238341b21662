// Queue mode against real Redis: relay → BullMQ → consumers, retries, permanent
// errors kept in the failed set, dedupe, two consumers sharing a queue, and a
// Redis outage during which the relay stops taking lines and loses none.
import fs from 'node:fs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stackEnv } from '@dbfifo/test-utils';
import { PermanentError, type WorkerDefinition } from '../src/contract.ts';
import { readDeadLetters } from '../src/dead-letter.ts';
import { startWorker, type RunningWorker, type WorkerConfig } from '../src/worker.ts';
import { db, memoryLogger, runtimeFor, sleep, tempDir } from './helpers.ts';
import { freePort, PrivateRedis } from './redis-private.ts';

const running: RunningWorker[] = [];
const queues: Queue[] = [];
let redisUrl: string;
beforeAll(() => {
  redisUrl = stackEnv().redisUrl;
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop()));
  for (const q of queues.splice(0)) {
    await q.obliterate({ force: true }).catch(() => {});
    await q.close();
  }
});

let n = 0;
function queueEnv(dir: string, extra: Record<string, string> = {}) {
  return {
    DBFIFO_MODE: 'queue',
    REDIS_URL: redisUrl,
    DBFIFO_PIPE: `${dir}/fifo-core-q`,
    DBFIFO_QUEUE_PREFIX: 'fifo-core-test',
    DBFIFO_QUEUE_NAME: `fifo-core-${process.pid}-${Date.now().toString(36)}-${n++}`,
    DBFIFO_QUEUE_BACKOFF_MS: '10',
    ...extra,
  };
}

function start(def: WorkerDefinition<WorkerConfig, unknown>, env: Record<string, string>) {
  const { logger, lines: logs } = memoryLogger();
  const runtime = runtimeFor(def.name, tempDir(), env);
  const w = startWorker(def, { runtime, db }, { logger });
  running.push(w);
  const q = new Queue(runtime.queue.name, { connection: { url: env.REDIS_URL ?? redisUrl }, prefix: runtime.queue.prefix });
  queues.push(q);
  return { w, runtime, logs, q };
}

/** Non-blocking writes like fifo_write; returns how many lines the kernel took (EAGAIN = pipe full). */
function writeNonBlocking(pipe: string, lines: string[]): number {
  const fd = fs.openSync(pipe, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  let ok = 0;
  try {
    for (const l of lines) {
      try {
        fs.writeSync(fd, Buffer.from(`${l}\n`));
        ok++;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw e;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return ok;
}

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('queue mode', () => {
  it('relays lines into a BullMQ queue named after the pipe and retries failures with backoff', async () => {
    const attempts = new Map<string, number[]>();
    const dir = tempDir();
    const { w, runtime, q } = start(
      {
        name: 'q1',
        handle: async (m) => {
          attempts.set(m.raw, [...(attempts.get(m.raw) ?? []), m.attempt]);
          if (m.raw === 'flaky' && m.attempt < 3) throw new Error('503 from provider');
          if (m.raw === 'invalid-number') throw new PermanentError('invalid number');
        },
      },
      queueEnv(dir, { DBFIFO_QUEUE_NAME: '' }),
    );
    expect(runtime.queue.name).toBe('fifo-core-q');
    await w.ready;
    expect(writeNonBlocking(runtime.pipe, ['ok', 'flaky', 'invalid-number'])).toBe(3);
    await until(async () => (await q.getJobCounts('completed', 'failed')).completed === 2, 'two completed jobs');
    await until(async () => (await q.getJobCounts('failed')).failed === 1, 'one failed job');
    expect(attempts.get('ok')).toEqual([1]);
    expect(attempts.get('flaky')).toEqual([1, 2, 3]);
    expect(attempts.get('invalid-number')).toEqual([1]); // permanent: not retried
    const [failed] = await q.getFailed();
    expect(failed!.data.raw).toBe('invalid-number'); // kept for a person to see
    expect(failed!.id).toMatch(/^fifo-core-q:[a-z0-9]+:3$/);
    expect(w.metrics).toMatchObject({ relayed: 3, handled: 2, failed: 3 });
  });

  it('dedupes waiting jobs by the handler key', async () => {
    const handled: string[] = [];
    const dir = tempDir();
    const env = queueEnv(dir);
    const def: WorkerDefinition<WorkerConfig, unknown> = {
      name: 'q2',
      key: (m) => (m.json as { id: number }).id.toString(),
      handle: async (m) => void handled.push(m.raw),
    };
    const relay = start(def, { ...env, DBFIFO_ROLE: 'relay' });
    await relay.w.ready;
    writeNonBlocking(relay.runtime.pipe, ['{"id":1,"v":1}', '{"id":1,"v":2}', '{"id":1,"v":3}', '{"id":2,"v":1}']);
    await until(() => relay.w.metrics.relayed === 4, 'four lines relayed');
    expect((await relay.q.getJobCounts('waiting')).waiting).toBe(2);
    const consumer = start(def, { ...env, DBFIFO_ROLE: 'consumer' });
    await consumer.w.ready;
    await until(() => handled.length === 2, 'two handled');
    await sleep(100);
    expect(handled.sort()).toEqual(['{"id":1,"v":1}', '{"id":2,"v":1}']);
    // Once a job ran, a newer edit of the same row queues again.
    writeNonBlocking(relay.runtime.pipe, ['{"id":1,"v":4}']);
    await until(() => handled.length === 3, 'the later edit handled');
  });

  it('two consumers on one queue share the work and never handle a job twice', async () => {
    const dir = tempDir();
    const env = queueEnv(dir, { DBFIFO_CONCURRENCY: '4' });
    const seen: Record<string, string[]> = { a: [], b: [] };
    const mk = (who: 'a' | 'b'): WorkerDefinition<WorkerConfig, unknown> => ({
      name: 'q3',
      handle: async (m) => {
        seen[who]!.push(m.raw);
        await sleep(2);
      },
    });
    const a = start(mk('a'), { ...env, DBFIFO_ROLE: 'consumer' });
    const b = start(mk('b'), { ...env, DBFIFO_ROLE: 'consumer' });
    const relay = start(mk('a'), { ...env, DBFIFO_ROLE: 'relay' });
    await Promise.all([a.w.ready, b.w.ready, relay.w.ready]);
    const lines = Array.from({ length: 400 }, (_, i) => `line-${i}`);
    for (let i = 0; i < lines.length; i += 50) expect(writeNonBlocking(relay.runtime.pipe, lines.slice(i, i + 50))).toBe(50);
    await until(() => seen.a!.length + seen.b!.length >= 400, '400 handled');
    await sleep(200);
    const all = [...seen.a!, ...seen.b!];
    expect(all).toHaveLength(400);
    expect(new Set(all).size).toBe(400);
    expect(seen.a!.length).toBeGreaterThan(0);
    expect(seen.b!.length).toBeGreaterThan(0);
  });

  describe('with a private Redis that goes away', () => {
    let redis: PrivateRedis;
    beforeAll(async () => {
      redis = new PrivateRedis(await freePort(), tempDir('fifo-core-redis-'));
      await redis.start();
    });
    afterAll(async () => {
      await redis.stop();
    });

    it('stops taking lines while Redis is down, writers then see a full pipe, and every accepted line is handled after restart', async () => {
      const handled = new Set<string>();
      let dup = 0;
      const dir = tempDir();
      const { w, runtime, logs } = start(
        {
          name: 'q4',
          handle: async (m) => {
            if (handled.has(m.raw)) dup++;
            handled.add(m.raw);
          },
        },
        queueEnv(dir, { REDIS_URL: redis.url }),
      );
      await w.ready;
      const pad = 'x'.repeat(90);
      expect(writeNonBlocking(runtime.pipe, Array.from({ length: 20 }, (_, i) => `before-${i}-${pad}`))).toBe(20);
      await until(() => handled.size === 20, 'lines before the outage');

      await redis.stop();
      await sleep(200);
      const receivedAtStop = w.metrics.received;
      // Trickle in lines; the relay takes at most the first chunk, then holds the pipe.
      let accepted = 0;
      for (let i = 0; i < 10; i++) {
        accepted += writeNonBlocking(runtime.pipe, [`during-${i}-${pad}`]);
        await sleep(20);
      }
      expect(w.metrics.received - receivedAtStop).toBeLessThanOrEqual(2);
      // Writers keep going until the kernel pipe is full: that is fifo_write's 'false'.
      const more = Array.from({ length: 5000 }, (_, i) => `during-${10 + i}-${pad}`);
      const took = writeNonBlocking(runtime.pipe, more);
      expect(took).toBeLessThan(more.length);
      accepted += took;
      expect(w.metrics.received - receivedAtStop).toBeLessThanOrEqual(2);

      await redis.start();
      await until(() => handled.size === 20 + accepted, `all ${20 + accepted} accepted lines handled`, 30_000);
      expect(dup).toBe(0);
      expect(logs.some((l) => String(l.msg).includes('redis unreachable'))).toBe(true);
    });

    it('an error reply from Redis (out of memory) holds the pipe and retries: every line is handled once Redis takes writes again', async () => {
      const handled = new Set<string>();
      const dir = tempDir();
      const { w, runtime, logs } = start(
        { name: 'q6', handle: async (m) => void handled.add(m.raw) },
        queueEnv(dir, { REDIS_URL: redis.url }),
      );
      await w.ready;
      expect(writeNonBlocking(runtime.pipe, ['first'])).toBe(1);
      await until(() => handled.size === 1, 'the first line');
      const admin = new Redis(redis.url);
      try {
        await admin.config('SET', 'maxmemory-policy', 'noeviction');
        await admin.config('SET', 'maxmemory', '1'); // every write now answers OOM
        expect(writeNonBlocking(runtime.pipe, ['during-1', 'during-2', 'during-3'])).toBe(3);
        await until(() => logs.some((l) => String(l.msg).includes('redis refused the relay batch')), 'the refusal logged');
        await sleep(300);
        expect(handled.size).toBe(1);
      } finally {
        await admin.config('SET', 'maxmemory', '0');
        admin.disconnect();
      }
      await until(() => handled.size === 4, 'the lines relayed after Redis took writes again');
      expect([...handled].sort()).toEqual(['during-1', 'during-2', 'during-3', 'first']);
    });

    it('on shutdown during an outage, writes the lines it could not relay to the dead-letter file', async () => {
      const dir = tempDir();
      const { w, runtime } = start({ name: 'q5', handle: async () => {} }, queueEnv(dir, { REDIS_URL: redis.url, DBFIFO_ROLE: 'relay', DBFIFO_SHUTDOWN_TIMEOUT_MS: '300' }));
      await w.ready;
      await redis.stop();
      try {
        expect(writeNonBlocking(runtime.pipe, ['{"id":7}'])).toBe(1);
        await until(() => w.metrics.received === 1, 'the line taken');
        const t0 = Date.now();
        await w.stop();
        expect(Date.now() - t0).toBeLessThan(5000);
        const dead = await readDeadLetters(runtime.deadLetterFile);
        expect(dead.map((d) => [d.reason, d.raw])).toEqual([['unrelayed_at_shutdown', '{"id":7}']]);
      } finally {
        await redis.start();
      }
    });
  });
});
