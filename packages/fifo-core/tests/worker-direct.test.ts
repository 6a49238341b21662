// startWorker in direct mode against a real pipe: refused lines go to the
// dead-letter file and the worker keeps going; per-key ordering; metrics.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidMessageError, PermanentError, type WorkerDefinition } from '../src/contract.ts';
import { readDeadLetters } from '../src/dead-letter.ts';
import { RolledBackError } from '../src/errors.ts';
import { requireJsonObject } from '../src/message.ts';
import { startWorker, type RunningWorker, type WorkerConfig } from '../src/worker.ts';
import { db, memoryLogger, runtimeFor, sleep, tempDir, writeLines } from './helpers.ts';

const running: RunningWorker[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop()));
});

function start<T>(def: WorkerDefinition<WorkerConfig, T>, extra: Record<string, string> = {}) {
  const dir = tempDir();
  const { logger, lines: logs } = memoryLogger();
  const config = { runtime: runtimeFor(def.name, dir, extra), db };
  const w = startWorker(def, config, { logger });
  running.push(w);
  return { w, pipe: config.runtime.pipe, deadFile: config.runtime.deadLetterFile, logs, dir };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(10);
  }
}

describe('startWorker (direct mode)', () => {
  it('refuses overlong, binary, invalid UTF-8 and non-JSON lines, dead-letters them and handles the next line', async () => {
    const handled: unknown[] = [];
    const { w, pipe, deadFile, logs } = start(
      {
        name: 'refuse',
        parse: (m) => {
          const o = requireJsonObject(m);
          if (typeof o.id !== 'number') throw new InvalidMessageError('id must be a number', 'SCHEMA');
          return o as { id: number };
        },
        handle: async (m) => void handled.push(m.body),
      },
      { DBFIFO_MAX_LINE_BYTES: '64' },
    );
    await w.ready;
    const binary = Buffer.from([0x00, 0xc3, 0x28, 0xff, 0x0a]); // NUL + invalid UTF-8 sequence
    writeLines(pipe, [`{"id":"${'x'.repeat(100)}"}`, '{"id":1}', binary, 'not json', '{"id":"two"}', '{"id":2}']);
    await until(() => handled.length === 2 && w.metrics.invalid === 4);
    await w.stop();
    expect(handled).toEqual([{ id: 1 }, { id: 2 }]);
    expect(w.metrics).toMatchObject({ received: 6, handled: 2, invalid: 4, failed: 0 });
    const dead = await readDeadLetters(deadFile);
    expect(dead.map((d) => d.reason)).toEqual(['too_long', 'invalid_utf8', 'not_json', 'schema']);
    expect(Buffer.from(dead[1]!.raw, 'base64')).toEqual(binary.subarray(0, 4));
    expect(dead[1]!.rawEncoding).toBe('base64');
    expect(dead[2]!.raw).toBe('not json');
    expect(dead.every((d) => d.pipe === pipe && !Number.isNaN(Date.parse(d.at)))).toBe(true);
    expect(logs.filter((l) => l.msg === 'line refused')).toHaveLength(4);
  });

  it('retries a failing handler with backoff, and dead-letters a message that fails for good', async () => {
    const runs: Record<string, number[]> = {};
    const { w, pipe, deadFile } = start(
      {
        name: 'errors',
        handle: async (m) => {
          (runs[m.raw] ??= []).push(m.attempt);
          if (m.raw === 'perm') throw new PermanentError('invalid number');
          if (m.raw === 'boom') throw new Error('still broken');
          if (m.raw === 'flaky' && m.attempt < 3) throw new Error('transient');
          if (m.raw === 'gone') throw new RolledBackError();
        },
      },
      { DBFIFO_DIRECT_BACKOFF_MS: '20' },
    );
    await w.ready;
    writeLines(pipe, ['perm', 'flaky', 'boom', 'gone', 'fine']);
    await until(() => (runs.boom?.length ?? 0) === 3 && (runs.flaky?.length ?? 0) === 3 && w.metrics.inFlight === 0);
    expect(runs).toEqual({ perm: [1], flaky: [1, 2, 3], boom: [1, 2, 3], gone: [1], fine: [1] }); // DBFIFO_DIRECT_ATTEMPTS=3
    expect(w.metrics).toMatchObject({ handled: 3, failed: 6, rolledBack: 1 });
    let dead = await readDeadLetters(deadFile); // appended asynchronously after the give-up
    for (let i = 0; dead.length < 2 && i < 200; i++) dead = await sleep(20).then(() => readDeadLetters(deadFile));
    expect(dead.map((d) => [d.reason, d.raw])).toEqual([['handler_permanent', 'perm'], ['handler_exhausted', 'boom']]);
    expect(dead[1]!.detail).toBe('3 run(s); last error: still broken');
  });

  it('a message waiting to be retried at shutdown is dead-lettered, not waited for', async () => {
    const { w, pipe, deadFile } = start({ name: 'retry-stop', handle: async () => { throw new Error('down'); } }, { DBFIFO_DIRECT_BACKOFF_MS: '60000' });
    await w.ready;
    writeLines(pipe, ['{"id":1}']);
    await until(() => w.metrics.failed === 1);
    const t0 = Date.now();
    await w.stop();
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((await readDeadLetters(deadFile)).map((d) => [d.reason, d.raw])).toEqual([['handler_shutdown', '{"id":1}']]);
  });

  it('gives handlers the raw line, parsed JSON, arrival time and a unique id', async () => {
    const seen: { raw: string; json: unknown; id: string; receivedAt: Date; attempt: number }[] = [];
    const { w, pipe } = start({ name: 'shape', handle: async (m) => void seen.push(m) });
    await w.ready;
    const before = Date.now();
    writeLines(pipe, ['13113668891\r', '{"table":"news","op":"update","id":42}']);
    await until(() => seen.length === 2);
    expect(seen[0]).toMatchObject({ raw: '13113668891', json: undefined, attempt: 1 });
    expect(seen[1]!.json).toEqual({ table: 'news', op: 'update', id: 42 });
    expect(seen[0]!.id).not.toBe(seen[1]!.id);
    expect(seen[0]!.id).toMatch(/^shape:[a-z0-9]+:1$/);
    expect(seen[0]!.receivedAt.getTime()).toBeGreaterThanOrEqual(before - 5);
  });

  it('merges pending messages of one key and handles a key one call at a time, in order, while other keys run in parallel', async () => {
    const order = new Map<string, number[]>();
    let active = 0;
    let peak = 0;
    const busyKeys = new Set<string>();
    let overlap = false;
    const { w, pipe } = start(
      {
        name: 'ordered',
        parse: (m) => requireJsonObject(m) as { id: number; v: number },
        key: (m) => String(m.body.id),
        handle: async (m) => {
          const k = String(m.body.id);
          if (busyKeys.has(k)) overlap = true;
          busyKeys.add(k);
          peak = Math.max(peak, ++active);
          await sleep((m.body.v * 7) % 5);
          order.set(k, [...(order.get(k) ?? []), m.body.v]);
          busyKeys.delete(k);
          active--;
        },
      },
      { DBFIFO_CONCURRENCY: '4' },
    );
    await w.ready;
    const lines = Array.from({ length: 200 }, (_, v) => JSON.stringify({ id: v % 5, v }));
    writeLines(pipe, lines);
    // Every doorbell is accounted for: handled, or merged into a later one for its key.
    await until(() => w.metrics.handled + w.metrics.merged === 200 && w.metrics.inFlight === 0);
    expect(w.metrics.merged).toBeGreaterThan(0);
    expect(overlap).toBe(false);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(4);
    for (const [k, vs] of order) {
      expect(vs).toEqual([...vs].sort((a, b) => a - b));
      expect(vs.every((v) => v % 5 === Number(k))).toBe(true);
      expect(vs.at(-1)).toBe(195 + Number(k)); // the newest doorbell of each key is never lost in a merge
    }
  });

  it('runs reconcile at start, counts what it fixed, and serves /metrics and /healthz', async () => {
    let passes = 0;
    const { w, pipe } = start(
      {
        name: 'metrics',
        reconcile: async () => ({ fixed: ++passes * 2 }),
        handle: async () => {},
      },
      { DBFIFO_METRICS_PORT: '0', DBFIFO_RECONCILE_INTERVAL_MS: '50' },
    );
    await w.ready;
    writeLines(pipe, ['a', 'b']);
    await until(() => w.metrics.handled === 2 && passes >= 2);
    expect(w.metrics.reconciled).toBeGreaterThanOrEqual(6);
    const base = `http://127.0.0.1:${w.metricsPort}`;
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/dbfifo_messages_handled_total\{worker="metrics"\} 2/);
    expect(metrics).toMatch(/dbfifo_handler_seconds_count\{worker="metrics"\} 2/);
    expect(metrics).toMatch(/dbfifo_reconcile_fixed_total/);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, pipe });
  });

  it('rejects ready and done when the pipe path is not a FIFO', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'taken');
    (await import('node:fs')).writeFileSync(file, 'x');
    const { logger } = memoryLogger();
    const w = startWorker({ name: 'bad', handle: async () => {} }, { runtime: runtimeFor('bad', dir, { DBFIFO_PIPE: file }), db }, { logger });
    await expect(w.ready).rejects.toThrow(/not a FIFO/);
    await expect(w.done).rejects.toThrow(/not a FIFO/);
  });
});
