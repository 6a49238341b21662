// sms-worker as a fifo-core WorkerDefinition: what a batch of lines on the
// `sms` pipe means, and how reconcile brings sms_outbox in line (pending rows
// sent, rows whose outcome is open resolved). The runtime does reading,
// batching, dispatch, queueing, catch-up and shutdown.
import { setMaxListeners } from 'node:events';
import {
  createPool,
  forEachLimit,
  Gauge,
  PermanentError,
  RolledBackError,
  Slots,
  type BatchWorkerDefinition,
  type RateLimiter,
  type ReadCommittedOutcome,
  type RuntimeDefaults,
} from '@dbfifo/fifo-core';
import type { Pool } from 'mysql2/promise';
import type { SmsConfig } from './config.ts';
import { SmsError } from './errors.ts';
import { parseSmsLine, type SmsLine } from './line.ts';
import { SmsRows, type OutboxRow } from './rows.ts';
import { Breaker } from './provider/breaker.ts';
import { classify } from './provider/classify.ts';
import { createRateLimiter } from './provider/redis-rate-limit.ts';
import { Sender, toError, type RowResult } from './provider/sender.ts';
import { createTwilioClient } from './provider/twilio-client.ts';

/** Counters a person (or a test) can read: what happened to the lines and rows. */
export interface SmsStats {
  sent: number;
  recovered: number;
  failed: number;
  rolledBack: number;
  skipped: number;
  parked: number;
}

export interface SmsWorker extends BatchWorkerDefinition<SmsConfig, SmsLine> {
  readonly stats: SmsStats;
}

/**
 * The runtime defaults of sms-worker (DBFIFO_CONCURRENCY, DBFIFO_BATCH_MAX
 * still win). Requests are bounded by SMS_SEND_CONCURRENCY, not by these.
 * 50 rows per batch: its commit-wait, claim and read-back cost less than one
 * create, spread over 50 rows. Four batches at once: while some send, the
 * others wait for their commit, claim or record their rows (fsynced
 * statements of a few ms each); with two, the request slots sat idle about a
 * third of the time in the benchmark. A crash leaves at most 4 × 50 claimed
 * rows for reconcile's lookup.
 */
export const SMS_DEFAULTS: RuntimeDefaults = { concurrency: 4, batchMax: 50 };

export function createSmsWorker(): SmsWorker {
  let pool: Pool | undefined;
  let rows: SmsRows;
  let sender: Sender | undefined;
  let breaker: Breaker;
  let limiter: RateLimiter | undefined;
  const stats: SmsStats = { sent: 0, recovered: 0, failed: 0, rolledBack: 0, skipped: 0, parked: 0 };

  const count = (r: RowResult): void => {
    if (r instanceof PermanentError) stats.failed++;
    else if (typeof r === 'string' && r !== 'released') stats[r]++;
  };

  return {
    name: 'sms-worker',
    stats,
    defaults: SMS_DEFAULTS,

    parse: (message) => parseSmsLine(message),

    // One outbox row is in at most one batch at a time, and doorbells rung for
    // it while it is pending merge into one.
    key: (message) => (message.body.kind === 'row' ? `sms_outbox:${message.body.id}` : undefined),

    async start(h) {
      const { runtime, sms, twilio } = h.config;
      // Every row waiting for a send slot or a rate token listens on the shutdown signal.
      setMaxListeners(Math.max(100, 3 * runtime.concurrency * runtime.batchMax + 2 * sms.reconcileBatch), h.signal);
      pool = createPool(h.config.db, { connectionLimit: Math.min(32, 2 * runtime.concurrency + 6) });
      rows = new SmsRows(pool);
      limiter = createRateLimiter(h.config, h.log);
      const client = createTwilioClient(twilio);
      breaker = new Breaker({
        failures: sms.breakerFailures,
        cooldownMs: sms.breakerCooldownMs,
        cooldownMaxMs: sms.breakerCooldownMaxMs,
        probe: () => client.messages.list({ limit: 1, pageSize: 1 }),
        isOutage: (err) => classify(err).outage,
        log: h.log,
      });
      sender = new Sender({ rows, client, limiter, slots: new Slots(sms.sendConcurrency), breaker, sms, twilio, batches: runtime.concurrency });
      const b = breaker;
      new Gauge({
        name: 'dbfifo_sms_provider_down',
        help: '1 while the circuit breaker holds requests back (the provider failed SMS_BREAKER_FAILURES times in a row)',
        registers: [h.registry],
        collect() {
          this.set(b.isOpen ? 1 : 0);
        },
      });
    },

    async handleBatch(messages, h) {
      const out: (Error | undefined)[] = messages.map(() => undefined);
      const toSend: { i: number; row: OutboxRow }[] = [];
      const doorbells = new Map<number, number>(); // row id → message index
      const lines: { i: number; lineId: string; mobile: string }[] = [];
      messages.forEach((m, i) => {
        if (m.body.kind === 'row') doorbells.set(m.body.id, i);
        else if (m.body.kind === 'mobile') lines.push({ i, lineId: m.id, mobile: m.body.mobile });
      });
      // The article's form: each line becomes a row first, so it has the row's guarantees.
      if (lines.length) {
        const made = await rows.insertFromLines(lines, h.config.sms.defaultBody);
        for (const l of lines) {
          const row = made.get(l.lineId);
          if (row) toSend.push({ i: l.i, row });
          else out[l.i] = new Error(`outbox row for line ${l.lineId} not found after its insert`);
        }
      }
      // The triggers rang before COMMIT: one locking read waits for every writer of the batch.
      if (doorbells.size) {
        const { rowWaitMs } = h.config.sms;
        const got = await rows.readCommitted([...doorbells.keys()], { timeoutMs: rowWaitMs, signal: h.signal });
        for (const [id, i] of doorbells) {
          const r = got.get(id)!;
          if (r.state === 'committed') toSend.push({ i, row: r.row });
          else {
            if (r.state === 'absent') stats.rolledBack++;
            out[i] = notCommitted(id, r.state, rowWaitMs);
          }
        }
      }
      const results = await sender!.deliver(toSend.map((t) => t.row), h.log, h.signal);
      results.forEach((r, k) => {
        count(r);
        if (r instanceof Error) out[toSend[k]!.i] = r;
      });
      return out;
    },

    async reconcile(h) {
      const { sms, runtime } = h.config;
      const report = { fixed: 0, more: false, pending: 0, unresolved: 0, failed: 0, errors: 0 };
      // The provider is down: nothing to do but say so; catch-up asks again with backoff.
      if (!(await breaker.waitClosed(h.signal))) return { ...report, more: true, providerDown: true };
      let firstError: string | undefined;
      const tally = (r: RowResult): void => {
        count(r);
        if (r === 'sent' || r === 'recovered' || r === 'parked') report.fixed++;
        else if (r instanceof PermanentError) report.failed++;
        else if (r instanceof Error) {
          report.errors++;
          firstError ??= r.message;
        }
      };
      const pending = await rows.pending(sms.reconcileBatch);
      report.pending = pending.length;
      await forEachLimit(chunks(pending, runtime.batchMax), runtime.concurrency, async (chunk) => {
        for (const r of await sender!.deliver(chunk, h.log, h.signal)) tally(r);
      });
      const open = await rows.unresolved(sms.stuckAfterMs, sms.reconcileBatch);
      report.unresolved = open.length;
      await forEachLimit(open, sms.sendConcurrency, async (row) => tally(await sender!.resolve(row, h.log, h.signal).catch(toError)));
      if (report.errors) h.log.warn({ errors: report.errors, first: firstError }, `reconcile: ${report.errors} sms rows not sent this pass`);
      // A full page means there may be more rows; an error (a transient one: the
      // permanent ones are counted as failed) means a row is still to be sent.
      report.more = report.errors > 0 || pending.length === sms.reconcileBatch || open.length === sms.reconcileBatch;
      return report;
    },

    async stop() {
      await sender?.drain();
      sender = undefined;
      await limiter?.close?.();
      limiter = undefined;
      await pool?.end();
      pool = undefined;
    },
  };
}

function notCommitted(id: number, state: Exclude<ReadCommittedOutcome<unknown>['state'], 'committed'>, rowWaitMs: number): Error {
  // The runtime counts a RolledBackError (dbfifo_rows_rolled_back_total) and logs it; nothing is sent.
  if (state === 'absent') return new RolledBackError(`sms_outbox row ${id} was rolled back: nothing sent`);
  if (state === 'timeout') {
    return new SmsError('ROW_UNCOMMITTED', `sms_outbox row ${id} still uncommitted after ${rowWaitMs} ms: not sent now (retried; reconcile sends it once it commits)`);
  }
  return new SmsError('SHUTDOWN', `sms_outbox row ${id}: shutdown before its transaction ended`);
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The worker `src/main.ts` runs. */
export const smsWorker = createSmsWorker();
