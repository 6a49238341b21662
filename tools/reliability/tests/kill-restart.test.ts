// A worker SIGKILLed in the middle of a burst, then restarted: every row gets
// its effect exactly once. Lines in the pipe at the kill and lines rung while
// no reader was there are lost as doorbells; reconcile at start finds the rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipe, removePipe, stackEnv, uniquePipePath, waitFor } from '@dbfifo/test-utils';
import { sizes } from '../src/config.ts';
import { createLedgerDb, type LedgerDb } from '../src/ledger-db.ts';
import { exited, spawnLedger } from '../src/workers.ts';
import { report } from '../src/report.ts';

describe('SIGKILL during a burst', () => {
  const stack = stackEnv();
  const pipe = uniquePipePath('rel-kill');
  let db: LedgerDb;

  beforeAll(async () => {
    await createPipe(pipe);
    db = await createLedgerDb(stack, 'kill', pipe);
  });
  afterAll(async () => {
    await db?.drop();
    await removePipe(pipe);
  });

  it('handles every row exactly once after a restart', async () => {
    const n = sizes.killBurst;
    const env = { pipe, pipeDir: stack.pipeDir, databaseUrl: db.url, redisUrl: stack.redisUrl };
    // Ready = the pipe has a reader (a blank line, dropped by the framer, answers 'true')
    // and a probe row rung through it has been handled.
    const ready = async () => {
      await waitFor(async () => {
        const [[r]] = (await db.conn.query('SELECT fifo_write(?, ?) AS ok', [pipe, ''])) as unknown as [[{ ok: Buffer | string }]];
        return String(r.ok) === 'true';
      }, { timeoutMs: 60_000, message: 'worker reading its pipe' });
      await db.conn.query('INSERT INTO items (v) VALUES (-1)');
      await waitFor(async () => (await db.counts()).missing === 0, { timeoutMs: 60_000, message: 'probe row handled' });
    };
    let child = spawnLedger(env);
    await ready();
    const chunk = 50;
    const afterRestart = Math.floor(n / 10);
    let inserted = 0;
    let killedAt: { inserted: number; handled: number } | undefined;
    const insertChunk = async () => {
      const values = Array.from({ length: Math.min(chunk, n - inserted) }, (_, i) => `(${inserted + i})`).join(',');
      await db.conn.query(`INSERT INTO items (v) VALUES ${values}`);
      inserted = Math.min(n, inserted + chunk);
    };
    while (inserted < n - afterRestart) {
      await insertChunk();
      if (killedAt) continue;
      // Keep the worker busy but not hopelessly behind, so the kill lands mid-stream:
      // lines in the pipe, handlers in flight, rows not yet rung.
      let c = await db.counts();
      while (inserted - c.handled > 400) {
        await new Promise((r) => setTimeout(r, 20));
        c = await db.counts();
      }
      if (c.handled >= n * 0.25) {
        child.kill('SIGKILL');
        await exited(child);
        killedAt = { inserted, handled: c.handled };
      }
    }
    expect(killedAt, 'the worker was killed during the burst').toBeDefined();
    const beforeRestart = await db.counts();
    child = spawnLedger(env); // reconcile runs at start
    await ready();
    while (inserted < n) await insertChunk(); // the line path works again
    await waitFor(async () => (await db.counts()).missing === 0 && (await db.counts()).items === n + 2, {
      timeoutMs: 120_000,
      message: 'every item handled',
    });
    const c = await db.counts();
    child.kill('SIGTERM');
    const code = await exited(child);
    report('kill-restart', { burst: n, probes: 2, killedAt, handledBeforeRestart: beforeRestart.handled, ...c, exitAfterSigterm: code });
    expect(c.items).toBe(n + 2); // the burst and two probe rows
    expect(c.handled).toBe(c.items);
    expect(c.missing).toBe(0);
    expect(c.handledWithoutItem).toBe(0);
    expect(c.viaReconcile, 'reconcile found the rows whose doorbell was lost').toBeGreaterThan(0);
    expect(code).toBe(0);
  });
});
