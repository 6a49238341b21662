// sms-worker as a fifo-core WorkerDefinition: what one line on the `sms` pipe
// means, and how reconcile brings sms_outbox in line (pending rows sent, stuck
// rows resolved). The runtime does reading, dispatch, queueing and shutdown.
import { createPool, forEachLimit, RolledBackError, type Helpers, type Message, type SingleWorkerDefinition } from '@dbfifo/fifo-core';
import { setMaxListeners } from 'node:events';
import type { Pool } from 'mysql2/promise';
import { rateKey, rateScope, type SmsConfig } from './config.ts';
import { parseSmsLine, type SmsLine } from './message.ts';
import { Outbox, type OutboxRow } from './outbox.ts';
import { TokenBucket, type RateLimiter } from './rate-limit.ts';
import { RedisRateLimiter } from './redis-rate-limit.ts';
import { Sender, type DeliveryResult } from './sender.ts';
import { createTwilioClient } from './twilio-client.ts';

/** Counters a person (or a test) can read: what happened to the lines and rows. */
export interface SmsStats {
  sent: number;
  recovered: number;
  failed: number;
  rolledBack: number;
  skipped: number;
  parked: number;
}

export interface SmsWorker extends SingleWorkerDefinition<SmsConfig, SmsLine> {
  readonly stats: SmsStats;
}

export function createSmsWorker(): SmsWorker {
  let pool: Pool | undefined;
  let outbox: Outbox;
  let sender: Sender;
  let limiter: RateLimiter | undefined;
  const stats: SmsStats = { sent: 0, recovered: 0, failed: 0, rolledBack: 0, skipped: 0, parked: 0 };

  const count = (r: DeliveryResult): void => {
    if (r === 'sent' || r === 'recovered' || r === 'failed' || r === 'skipped' || r === 'parked') stats[r]++;
  };

  async function deliver(row: OutboxRow, h: Helpers<SmsConfig>): Promise<void> {
    try {
      count(await sender.deliverPending(row, h.log, h.signal));
    } catch (err) {
      if ((err as Error).name === 'PermanentError') stats.failed++;
      throw err;
    }
  }

  return {
    name: 'sms',
    stats,

    parse: (message) => parseSmsLine(message),

    // One outbox row is never handled twice at once in direct mode, and a
    // waiting duplicate doorbell is dropped in queue mode.
    key: (message) => (message.body.kind === 'row' ? `sms_outbox:${message.body.id}` : undefined),

    async start(h) {
      // Every handler waiting for a rate token listens on the shutdown signal.
      setMaxListeners(Math.max(100, h.config.runtime.concurrency * 4 + h.config.sms.reconcileBatch), h.signal);
      pool = createPool(h.config.db, { connectionLimit: Math.min(20, h.config.runtime.concurrency + 2) });
      outbox = new Outbox(pool);
      limiter = createLimiter(h.config, h.log);
      sender = new Sender({
        outbox,
        client: createTwilioClient(h.config.twilio),
        bucket: limiter,
        sms: h.config.sms,
        twilio: h.config.twilio,
        inFlight: new Set(),
      });
    },

    async handle(message: Message<SmsLine>, h) {
      const line = message.body;
      if (line.kind === 'blank') return;
      if (line.kind === 'mobile') {
        // The article's form: record the text first, so it has the row's guarantees.
        await deliver(await outbox.insertFromLine(message.id, line.mobile, h.config.sms.defaultBody), h);
        return;
      }
      // The trigger rang before COMMIT: wait for that COMMIT (a locking read), not a guessed delay.
      const got = await outbox.fetchCommitted(line.id, { timeoutMs: h.config.sms.rowWaitMs, signal: h.signal });
      // Shutdown deadline passed while waiting: a failure (queue mode retries it, reconcile covers direct mode).
      if (got.state === 'aborted') throw new Error(`sms_outbox row ${line.id}: shutdown before its transaction ended`);
      if (got.state !== 'committed') {
        stats.rolledBack++;
        // The runtime counts it (dbfifo_rows_rolled_back_total) and logs it; nothing is sent.
        // A transaction slower than SMS_ROW_WAIT_MS that does commit is sent by reconcile.
        throw new RolledBackError(
          got.state === 'absent'
            ? `sms_outbox row ${line.id} was rolled back: nothing sent`
            : `sms_outbox row ${line.id} still uncommitted after ${h.config.sms.rowWaitMs} ms: not sent now (reconcile sends it if it commits)`,
        );
      }
      await deliver(got.row, h);
    },

    async reconcile(h) {
      const { reconcileBatch, stuckAfterMs } = h.config.sms;
      const report = { fixed: 0, pending: 0, stuck: 0, failed: 0, errors: 0 };
      const pending = await outbox.pending(reconcileBatch);
      report.pending = pending.length;
      await forEachLimit(pending, h.config.runtime.concurrency, async (row) => {
        try {
          const r = await sender.deliverPending(row, h.log, h.signal);
          count(r);
          if (r === 'sent') report.fixed++;
        } catch (err) {
          if ((err as Error).name === 'PermanentError') {
            stats.failed++;
            report.failed++;
          } else {
            report.errors++;
            h.log.warn({ id: row.id, err: (err as Error).message }, 'reconcile: sms row not sent this pass');
          }
        }
      });
      const stuck = await outbox.stuck(stuckAfterMs, reconcileBatch);
      report.stuck = stuck.length;
      await forEachLimit(stuck, h.config.runtime.concurrency, async (row) => {
        try {
          const r = await sender.resolveStuck(row, h.log, h.signal);
          count(r);
          if (r !== 'skipped') report.fixed++;
        } catch (err) {
          if ((err as Error).name === 'PermanentError') report.failed++;
          else report.errors++;
          h.log.warn({ id: row.id, err: (err as Error).message }, 'reconcile: stuck sms row not resolved this pass');
        }
      });
      return report;
    },

    async stop() {
      await limiter?.close?.();
      limiter = undefined;
      await pool?.end();
      pool = undefined;
    },
  };
}

/** The limiter every create request passes: shared through Redis or this process's own. */
function createLimiter(c: SmsConfig, log: Helpers<SmsConfig>['log']): RateLimiter {
  const { ratePerSec, rateBurst } = c.sms;
  if (rateScope(c) === 'process' || ratePerSec === 0) return new TokenBucket(ratePerSec, rateBurst);
  const key = rateKey(c);
  log.info({ key, ratePerSec, burst: rateBurst }, 'sms rate limit shared through Redis');
  return new RedisRateLimiter({ redisUrl: c.runtime.redisUrl, key, ratePerSec, burst: rateBurst, log });
}

/** The worker `src/main.ts` runs. */
export const smsWorker = createSmsWorker();
