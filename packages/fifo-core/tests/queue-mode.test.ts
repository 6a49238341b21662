// Queue mode against real Redis: relay → BullMQ → consumers, retries, permanent
// errors kept in the failed set, merging and dedupe by key, two consumers
// sharing a queue, and a Redis outage during which the relay keeps draining
// the pipe (writers never wait) and loses none.
import fs from 'node:fs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, PrivateRedis, stackEnv } from '@dbfifo/test-utils';
import { PermanentError, type WorkerDefinition } from '../src/contract.ts';
import { readDeadLetters } from '../src/dead-letter.ts';
import { startWorker, type RunningWorker, type WorkerConfig } from '../src/worker.ts';
import { db, memoryLogger, runtimeFor, sleep, tempDir } from './helpers.ts';

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

  it('merges pending lines and dedupes waiting jobs by the handler key', async () => {
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
    // Merged in the relay's pending set (one read) or deduplicated by BullMQ (a later batch): two jobs either way.
    await until(() => relay.w.metrics.relayed + relay.w.metrics.merged === 4, 'four lines relayed or merged');
    expect((await relay.q.getJobCounts('waiting')).waiting).toBe(2);
    const consumer = start(def, { ...env, DBFIFO_ROLE: 'consumer' });
    await consumer.w.ready;
    await until(() => handled.length === 2, 'two handled');
    await sleep(100);
    expect(handled.map((l) => (JSON.parse(l) as { id: number }).id).sort()).toEqual([1, 2]);
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

  it('a relay of its own asks the consumers to catch up from the rows when it starts and when it finds its pipe full', async () => {
    const dir = tempDir();
    const env = queueEnv(dir, { DBFIFO_CATCHUP_SETTLE_MS: '50' });
    let passes = 0;
    const def: WorkerDefinition<WorkerConfig, unknown> = {
      name: 'q7',
      handle: async () => {},
      reconcile: async () => ({ fixed: ++passes }),
    };
    const consumer = start(def, { ...env, DBFIFO_ROLE: 'consumer' });
    await consumer.w.ready;
    await until(() => passes === 1, 'the consumer\'s own start reconcile');
    const relay = start(def, { ...env, DBFIFO_ROLE: 'relay' });
    await relay.w.ready;
    await until(() => passes >= 3 && !consumer.w.catchingUp, 'a catch-up (and its closing pass) after the relay started');
    expect(consumer.logs.some((l) => l.reason === 'relay_start')).toBe(true);
    const before = passes;
    // The relay runs in this process: this loop keeps it from reading until its pipe refuses a write.
    const fd = fs.openSync(relay.runtime.pipe, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    try {
      for (let i = 0; ; i++) fs.writeSync(fd, `line-${i}-${'z'.repeat(60)}\n`);
    } catch (e) {
      expect((e as NodeJS.ErrnoException).code).toBe('EAGAIN');
    } finally {
      fs.closeSync(fd);
    }
    await until(() => passes >= before + 2 && !consumer.w.catchingUp, 'a catch-up after the pipe was full');
    expect(relay.w.metrics.catchUps).toBeGreaterThanOrEqual(2);
    expect(consumer.logs.some((l) => l.reason === 'pipe_full')).toBe(true);
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

    it('keeps draining the pipe while Redis is down (writers never find it full), merges by key, and relays every accepted line after restart', async () => {
      const handled = new Map<string, number>();
      const dir = tempDir();
      const { w, runtime, logs } = start(
        {
          name: 'q4',
          // "k<n>:…" lines have a key and merge; the others have none and are all kept.
          key: (m) => (m.raw.startsWith('k') ? m.raw.slice(0, m.raw.indexOf(':')) : undefined),
          handle: async (m) => void handled.set(m.raw, (handled.get(m.raw) ?? 0) + 1),
        },
        queueEnv(dir, { REDIS_URL: redis.url }),
      );
      await w.ready;
      const pad = 'x'.repeat(90);
      expect(writeNonBlocking(runtime.pipe, Array.from({ length: 20 }, (_, i) => `before-${i}-${pad}`))).toBe(20);
      await until(() => handled.size === 20, 'lines before the outage');

      await redis.stop();
      try {
        await sleep(200);
        // Far more than the 64 KiB a pipe holds by default, in writes of 10 KB: every write still finds room.
        const during = Array.from({ length: 3000 }, (_, i) => `during-${i}-${pad}`);
        const keyed = Array.from({ length: 3000 }, (_, i) => `k${i % 10}:${i}-${pad}`);
        for (let i = 0; i < during.length; i += 100) {
          expect(writeNonBlocking(runtime.pipe, during.slice(i, i + 100))).toBe(100);
          await sleep(5);
          expect(writeNonBlocking(runtime.pipe, keyed.slice(i, i + 100))).toBe(100);
          await sleep(5);
        }
        await until(() => w.metrics.received === 20 + 6000, 'every line taken off the pipe during the outage');
        expect(w.metrics.pending).toBeLessThanOrEqual(3000 + 10 + 1); // the keyed ones merged into one per key
      } finally {
        await redis.start();
      }
      await until(() => [...handled.keys()].filter((k) => k.startsWith('during-')).length === 3000, 'every unkeyed line handled after restart', 30_000);
      await until(() => new Set([...handled.keys()].filter((k) => k.startsWith('k')).map((k) => k.split(':')[0])).size === 10, 'every key handled');
      expect([...handled.values()].every((n) => n === 1)).toBe(true);
      // The newest line of each key is what was handled (or a later one BullMQ had not merged yet).
      for (let k = 0; k < 10; k++) expect(handled.has(`k${k}:${2990 + k}-${pad}`)).toBe(true);
      expect(logs.some((l) => String(l.msg).includes('redis unreachable'))).toBe(true);
    });

    it('an error reply from Redis (out of memory) keeps the lines pending and retries: every line is handled once Redis takes writes again', async () => {
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

    it("past DBFIFO_PENDING_MAX during an outage, each dropped line owes the one catch-up: the worker's merge never sees the catch-up marker", async () => {
      const dir = tempDir();
      const line = (m: { body: unknown }) => m.body as { id: number; n: number };
      const { w, runtime, logs } = start(
        {
          name: 'q6',
          parse: (m) => JSON.parse(m.raw) as unknown,
          key: (m) => String(line(m).id),
          // A worker's merge reads its bodies (firewall-worker's, static-gen's do); the runtime's marker has none.
          merge: (older, newer) => ({ ...newer, body: { id: line(newer).id, n: line(older).n + line(newer).n } }),
          reconcile: async () => ({ fixed: 0 }),
          handle: async () => {},
        },
        queueEnv(dir, { REDIS_URL: redis.url, DBFIFO_ROLE: 'relay', DBFIFO_PENDING_MAX: '10' }),
      );
      await w.ready;
      await redis.stop();
      try {
        expect(writeNonBlocking(runtime.pipe, Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: i, n: 1 })))).toBe(50);
        await until(() => w.metrics.received === 50, 'every line taken off the pipe');
        expect(w.metrics.pending).toBeLessThanOrEqual(10 + 1); // the bound, and the one marker
        expect(logs.filter((l) => Number(l.level) >= 50).map((l) => l.msg)).toEqual([]);
      } finally {
        await redis.start();
      }
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
