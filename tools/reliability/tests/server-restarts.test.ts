// MariaDB restarted under load (direct mode) and Redis restarted under load
// (queue mode), on a private stack instance. Handlers fail while a server is
// away; the periodic reconcile and the queue's retries bring every row in.
// Full suite only (npm run reliability): a restart takes seconds.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorker } from '@dbfifo/fifo-core';
import { createPipe, removePipe, waitFor, type StackEnv } from '@dbfifo/test-utils';
import { full, sizes } from '../src/config.ts';
import { createLedgerDb, type LedgerDb } from '../src/ledger-db.ts';
import { startLedger } from '../src/workers.ts';
import { insertUnderLoad } from '../src/load.ts';
import { privatePipe, stackAsync, upPrivateStack } from '../src/private-stack.ts';
import { report } from '../src/report.ts';

if (!full) console.log('[reliability] server restarts: skipped in the fast suite; run `npm run reliability` (restarts MariaDB and Redis of a private stack)');

describe.skipIf(!full)('servers restarted under load', () => {
  let stack: StackEnv;
  beforeAll(() => {
    stack = upPrivateStack();
  });

  async function runCase(name: string, mode: 'direct' | 'queue', disrupt: () => Promise<Record<string, number>>) {
    const pipe = privatePipe(stack, `rel-${name}`);
    await createPipe(pipe);
    const db: LedgerDb = await createLedgerDb(stack, name.replace(/-/g, '_'), pipe);
    const { worker } = startLedger({ pipe, pipeDir: stack.pipeDir, databaseUrl: db.url, redisUrl: stack.redisUrl, mode, reconcileMs: 1000 });
    let w: RunningWorker | undefined = worker;
    try {
      await worker.ready;
      const n = sizes.underLoad;
      let disruption: Promise<Record<string, number>> | undefined;
      const load = await insertUnderLoad(db, n, (done) => {
        if (!disruption && done >= n / 3) disruption = disrupt();
      });
      const timings = await disruption!;
      await waitFor(async () => {
        try {
          const c = await db.counts();
          return c.missing === 0 && c.items > 0;
        } catch {
          await import('../src/ledger-db.ts').then((m) => m.reconnect(db)).catch(() => {});
          return false;
        }
      }, { timeoutMs: 120_000, intervalMs: 250, message: 'every item handled' });
      const c = await db.counts();
      report(name, { mode, insertBatches: load.batches, insertErrors: load.errors, ...timings, workerFailed: worker.metrics.failed, reconciled: worker.metrics.reconciled, ...c });
      expect(c.missing).toBe(0);
      expect(c.handled).toBe(c.items);
      expect(c.handledWithoutItem).toBe(0);
      expect(c.items).toBeGreaterThanOrEqual(n); // every acknowledged insert is there (an unacknowledged one may be too)
      await w.stop();
      w = undefined;
    } finally {
      await w?.stop().catch(() => {});
      await db.drop().catch(() => {});
      await removePipe(pipe);
    }
  }

  it('MariaDB restarted: every committed row handled, none twice', async () => {
    await runCase('mariadb-restart', 'direct', async () => ({ restartMs: await stackAsync('restart-db') }));
  });

  it('Redis restarted in queue mode: every committed row handled, none twice', async () => {
    await runCase('redis-restart', 'queue', async () => {
      const stopMs = await stackAsync('stop-redis');
      await new Promise((r) => setTimeout(r, 1500)); // rows keep coming while Redis is away
      const startMs = await stackAsync('start-redis');
      return { redisDownMs: stopMs + 1500 + startMs };
    });
  });
});
