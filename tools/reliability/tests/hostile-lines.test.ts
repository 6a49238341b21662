// Hostile lines on a pipe: the worker refuses them (counted, dead-lettered),
// handles nothing for them, keeps running and handles the next real row.
// Then every worker's own line parser gets the same text lines: it must
// answer with a value or InvalidMessageError, never another exception.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidMessageError, parseJsonLine, readDeadLetters, type RunningWorker } from '@dbfifo/fifo-core';
import { createPipe, removePipe, stackEnv, uniquePipePath, waitFor, writeLines } from '@dbfifo/test-utils';
import { createLedgerDb, type LedgerDb } from '../src/ledger-db.ts';
import { startLedger } from '../src/workers.ts';
import { hostileBytes, hostileText } from '../src/hostile.ts';
import { report } from '../src/report.ts';


describe('hostile lines on a worker pipe', () => {
  const stack = stackEnv();
  const pipe = uniquePipePath('rel-hostile');
  let db: LedgerDb;
  let worker: RunningWorker;

  beforeAll(async () => {
    await createPipe(pipe);
    db = await createLedgerDb(stack, 'hostile', pipe);
    worker = startLedger({ pipe, pipeDir: stack.pipeDir, databaseUrl: db.url, redisUrl: stack.redisUrl, rowWaitMs: 200, concurrency: 32 }).worker;
    await worker.ready;
  });
  afterAll(async () => {
    await worker?.stop();
    await db?.drop();
    await removePipe(pipe);
    await removePipe(`${pipe}.dead`);
  });

  it('refuses or ignores every one, loses nothing real, and keeps running', async () => {
    const text = Object.values(hostileText).flat().map((l) => Buffer.from(`${l}\n`));
    const bytes = Object.values(hostileBytes()).flat();
    const all = [...text, ...bytes];
    writeLines(pipe, all);
    await db.conn.query('INSERT INTO items (v) VALUES (1)'); // a real row after the garbage
    await waitFor(async () => (await db.counts()).handled === 1, { timeoutMs: 30_000, message: 'the real row handled' });
    // Every hostile line accounted for: refused, or handled as "row never appeared".
    await waitFor(() => worker.metrics.inFlight === 0 && worker.metrics.received >= all.length, { timeoutMs: 30_000, message: 'all lines taken' });
    const m = worker.metrics;
    const c = await db.counts();
    // Refusals are counted at once; their dead-letter entries are appended in order, asynchronously.
    let dead = await readDeadLetters(`${pipe}.dead`);
    await waitFor(async () => (dead = await readDeadLetters(`${pipe}.dead`)).length >= m.invalid, {
      timeoutMs: 10_000,
      message: `${m.invalid} dead-letter entries`,
    });
    const [tables] = await db.conn.query('SHOW TABLES');
    report('hostile-lines', { linesSent: all.length, received: m.received, invalid: m.invalid, rolledBack: m.rolledBack, handlerCalls: m.handled, merged: m.merged, dropped: m.dropped, failed: m.failed, deadLetters: dead.length, ...c });
    expect(c.items).toBe(1);
    expect(c.handled).toBe(1);
    expect(c.handledWithoutItem).toBe(0);
    // Nothing unaccounted: refused by the framer/parse, handled (a rolled-back verdict counts as handled),
    // merged into a later doorbell of the same key, or dropped for a catch-up from the rows.
    expect(m.invalid + m.handled + m.merged + m.dropped).toBe(m.received);
    expect(dead.length).toBe(m.invalid);
    expect(m.invalid).toBeGreaterThan(0);
    expect((tables as unknown[]).length).toBe(3); // nothing dropped
  });
});

describe("every worker's line parser", () => {
  const parsers: [string, string, string][] = [
    ['sms-worker', '@dbfifo/sms-worker', 'parseSmsLine'],
    ['static-gen', '@dbfifo/static-gen', 'parseNewsLine'],
    ['firewall-worker', '@dbfifo/firewall-worker', 'parseBlacklistLine'],
  ];
  for (const [name, pkg, fn] of parsers) {
    it(`${name}: answers hostile text with a value or InvalidMessageError`, async () => {
      const mod = (await import(pkg)) as Record<string, unknown>;
      const parse = mod[fn] as ((m: { raw: string; json: unknown }) => unknown) | undefined;
      expect(parse, `${pkg} exports ${fn}`).toBeTypeOf('function');
      const outcome = { accepted: 0, refused: 0, addressesRefused: 0, other: [] as string[] };
      const normalise = mod.normaliseAddress as ((a: unknown, o?: { allowCidr?: boolean }) => unknown) | undefined;
      for (const raw of Object.values(hostileText).flat()) {
        try {
          const parsed = parse!({ raw, json: parseJsonLine(raw), body: parseJsonLine(raw) ?? raw } as never) as { addresses?: unknown[] };
          outcome.accepted++;
          // The firewall takes a bare line as an address to check: it must never pass validation.
          for (const address of normalise ? (parsed?.addresses ?? []) : []) {
            try {
              normalise!(address, { allowCidr: true });
              outcome.other.push(`${JSON.stringify(raw)} passed address validation`);
            } catch {
              outcome.addressesRefused++;
            }
          }
        } catch (e) {
          if (e instanceof InvalidMessageError) outcome.refused++;
          else outcome.other.push(`${JSON.stringify(raw.slice(0, 40))}: ${(e as Error)?.name}: ${(e as Error)?.message}`);
        }
      }
      report(`hostile-parse-${name}`, { lines: Object.values(hostileText).flat().length, accepted: outcome.accepted, refused: outcome.refused, addressesRefused: outcome.addressesRefused, otherErrors: outcome.other.length });
      expect(outcome.other).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined(); // no prototype pollution
    });
  }
});
