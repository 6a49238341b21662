// Delivery of one outbox row: validate → claim → (rate limit → create)* →
// record. Never sends a row twice: the claim is a compare-and-set, and after
// any answer that leaves it open whether the provider took the message
// (5xx, timeout, cut connection) we ask the provider before trying again.
import { setTimeout as sleep } from 'node:timers/promises';
import { PermanentError, type Logger } from '@dbfifo/fifo-core';
import type { SmsSettings, TwilioConfig } from './config.ts';
import { classify, type Outcome } from './errors.ts';
import { findSentMessage, type LookupRow } from './lookup.ts';
import type { Outbox, OutboxRow } from './outbox.ts';
import { normalisePhone } from './phone.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { TwilioClient } from './twilio-client.ts';

const CLAIM_LOST = Symbol('claim lost');

export type DeliveryResult = 'sent' | 'recovered' | 'failed' | 'skipped' | 'parked' | 'released';

export interface SenderDeps {
  outbox: Outbox;
  client: TwilioClient;
  bucket: RateLimiter;
  sms: SmsSettings;
  twilio: TwilioConfig;
  /** Rows this process is working on; reconcile leaves them alone. */
  inFlight: Set<number>;
}

interface Claimed {
  id: number;
  e164: string;
  body: string;
  /** attempts value after our last bump: the compare-and-set token. */
  token: number;
}

export class Sender {
  constructor(private readonly d: SenderDeps) {}

  /** Send a row that is (expected to be) pending. Throws PermanentError when the row failed for good. */
  async deliverPending(row: OutboxRow, log: Logger, signal: AbortSignal): Promise<DeliveryResult> {
    if (row.status !== 'pending') return 'skipped';
    const n = normalisePhone(row.mobile, this.d.sms.defaultRegion);
    if (!n.ok) {
      await this.d.outbox.markFailed(row.id, null, 'INVALID_NUMBER', n.reason);
      log.warn({ id: row.id, reason: n.reason }, 'sms row failed: invalid number, not sent');
      throw new PermanentError(n.reason, 'INVALID_NUMBER');
    }
    if (!(await this.d.outbox.claim(row.id, n.e164))) return 'skipped'; // another consumer has it
    return this.#guarded(row.id, () => this.#send({ id: row.id, e164: n.e164, body: row.body, token: row.attempts + 1 }, log, signal));
  }

  /**
   * A row left in 'sending' past SMS_STUCK_AFTER_MS: its worker died between
   * claim and record. Ask the provider (or park the row), then resend only if
   * nothing went out.
   */
  async resolveStuck(row: OutboxRow, log: Logger, signal: AbortSignal): Promise<DeliveryResult> {
    if (this.d.inFlight.has(row.id) || row.status !== 'sending') return 'skipped';
    const e164 = row.to_e164 ?? (normalisePhone(row.mobile, this.d.sms.defaultRegion) as { e164?: string }).e164;
    const claimedAtMs = row.claimed_at_ms ?? 0;
    if (this.d.sms.recovery === 'park' || !e164) {
      const note = `outcome unknown: claimed ${new Date(claimedAtMs).toISOString()} by a worker that never recorded a result; check the provider, then set status to 'sent' or 'pending'`;
      const parked = await this.d.outbox.park(row.id, row.attempts, note);
      if (parked) log.warn({ id: row.id }, 'sms row parked for a person');
      return parked ? 'parked' : 'skipped';
    }
    return this.#guarded(row.id, async () => {
      const c: Claimed = { id: row.id, e164, body: row.body, token: row.attempts };
      const sid = await findSentMessage(this.d.client, this.d.outbox, { id: c.id, to_e164: e164, body: c.body, claimedAtMs }, this.d.sms.recoveryWindowMs);
      if (sid) {
        const ok = await this.d.outbox.markSent(c.id, c.token, sid, 'recovered: the provider had it already (worker stopped before recording)');
        if (ok) log.info({ id: c.id, sid }, 'sms row recovered: already sent, not resent');
        return ok ? 'recovered' : 'skipped';
      }
      // Not sent: take the claim over (compare-and-set: only one resolver wins) and send.
      if (!(await this.d.outbox.nextAttempt(c.id, c.token))) return 'skipped';
      log.info({ id: c.id }, 'sms row was claimed but never sent: sending now');
      return this.#send({ ...c, token: c.token + 1 }, log, signal);
    });
  }

  async #guarded(id: number, fn: () => Promise<DeliveryResult>): Promise<DeliveryResult> {
    this.d.inFlight.add(id);
    try {
      return await fn();
    } finally {
      this.d.inFlight.delete(id);
    }
  }

  #backoffMs(attempt: number): number {
    const { retryBaseMs, retryMaxMs } = this.d.sms;
    return Math.min(retryMaxMs, retryBaseMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
  }

  /**
   * "Did it go out?", asked again with backoff when the question fails (an
   * outage often hits the list endpoint too). Still failing after
   * SMS_SEND_ATTEMPTS tries, it throws: the row stays 'sending', nothing is
   * resent blind, and reconcile resolves it once the claim is stale. The
   * claim is renewed before each new try; CLAIM_LOST when it is not ours any more.
   */
  async #lookup(row: LookupRow, token: number, log: Logger, signal: AbortSignal): Promise<string | undefined | typeof CLAIM_LOST> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await findSentMessage(this.d.client, this.d.outbox, row, this.d.sms.recoveryWindowMs);
      } catch (err) {
        if (attempt >= this.d.sms.sendAttempts) throw err;
        log.warn({ id: row.id, attempt, err: (err as Error).message }, 'sms lookup failed, will ask again');
        await sleep(this.#backoffMs(attempt), undefined, { signal });
        if (!(await this.d.outbox.touch(row.id, token))) return CLAIM_LOST;
      }
    }
  }

  /** The claimed part: create, retry, record. `c.token` is the attempts value of our current request. */
  async #send(c: Claimed, log: Logger, signal: AbortSignal): Promise<DeliveryResult> {
    const { outbox, sms } = this.d;
    for (let attempt = 1; ; attempt++) {
      let outcome: Outcome;
      const waitStarted = performance.now();
      try {
        await this.d.bucket.take(signal);
      } catch {
        // Shutdown while waiting for a token: nothing went out for this attempt.
        await outbox.release(c.id, c.token);
        return 'released';
      }
      // The wait for a token has no upper bound (a slow shared rate, Redis
      // down). The claim was renewed just before it; a resolver takes a row
      // over only after SMS_STUCK_AFTER_MS without renewal. So after a wait
      // of half that, renew it and send only if it is still ours, or both
      // would send. (Not after every wait: a DB round trip between the grant
      // and the create would bunch creates up at the provider.)
      if (performance.now() - waitStarted > sms.stuckAfterMs / 2 && !(await outbox.touch(c.id, c.token))) {
        log.warn({ id: c.id }, 'sms row taken over while waiting for the rate limit; not sent by this worker');
        return 'skipped';
      }
      try {
        const msg = await this.d.client.messages.create({
          to: c.e164,
          body: c.body,
          ...(this.d.twilio.messagingServiceSid ? { messagingServiceSid: this.d.twilio.messagingServiceSid } : { from: this.d.twilio.from! }),
        });
        if (!(await outbox.markSent(c.id, c.token, msg.sid))) {
          log.error({ id: c.id, sid: msg.sid }, 'sms sent but the row changed under us; not recorded');
        }
        log.info({ id: c.id, sid: msg.sid, to: c.e164, attempt }, 'sms sent');
        return 'sent';
      } catch (err) {
        outcome = classify(err);
      }

      if (outcome.kind === 'permanent') {
        await outbox.markFailed(c.id, c.token, outcome.code, outcome.message);
        log.warn({ id: c.id, code: outcome.code, err: outcome.message }, 'sms row failed: provider refused it, not retried');
        throw new PermanentError(outcome.message, outcome.code);
      }
      await outbox.noteError(c.id, c.token, outcome.code, outcome.message);
      log.warn({ id: c.id, code: outcome.code, kind: outcome.kind, attempt }, 'sms send failed, will retry');

      // Back off first: after an ambiguous error this also gives a slow provider
      // time to finish the request before we look for its result.
      try {
        await sleep(this.#backoffMs(attempt), undefined, { signal });
      } catch {
        if (outcome.kind === 'retry') await outbox.release(c.id, c.token); // certainly not sent
        return 'released'; // unknown outcome stays 'sending' for reconcile to resolve
      }

      if (outcome.kind === 'unknown') {
        if (!(await outbox.touch(c.id, c.token))) return 'skipped';
        const row = await outbox.fetch(c.id);
        const sid = await this.#lookup({ id: c.id, to_e164: c.e164, body: c.body, claimedAtMs: row?.claimed_at_ms ?? Date.now() }, c.token, log, signal);
        if (sid === CLAIM_LOST) return 'skipped';
        if (sid) {
          await outbox.markSent(c.id, c.token, sid, `recovered after ${outcome.code}: the provider had it`);
          log.info({ id: c.id, sid }, 'sms was sent despite the error; recorded, not resent');
          return 'recovered';
        }
      }
      if (attempt >= sms.sendAttempts) {
        await outbox.release(c.id, c.token);
        throw new Error(`sms row ${c.id}: ${attempt} tries failed, last ${outcome.code}: ${outcome.message}; back to pending`);
      }
      if (!(await outbox.nextAttempt(c.id, c.token))) return 'skipped';
      c = { ...c, token: c.token + 1 };
    }
  }
}
