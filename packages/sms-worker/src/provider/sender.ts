// Delivery of outbox rows: validate → claim (one statement per batch) →
// (slot → rate limit → create)* → record (group commit). Never sends a row
// twice: the claim is a compare-and-set, and after any answer that leaves it
// open whether the provider took the message (5xx, timeout, cut connection) we
// ask the provider before trying again. While the provider is down the
// circuit breaker stops requests and rows are given back: to 'pending' when
// nothing went out, to 'unknown' when a request's fate is open.
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, Batcher, type Logger, type RateLimiter, type Slots } from '@dbfifo/fifo-core';
import type { SmsSettings, TwilioConfig } from '../config.ts';
import { InvalidNumberError, ProviderRefusedError, SmsError } from '../errors.ts';
import type { Claimed, OutboxRow, SentRecord, SmsRows } from '../rows.ts';
import type { Breaker } from './breaker.ts';
import { classify, type Verdict } from './classify.ts';
import { firstUnrecorded, recentMatches, type LookupTarget } from './lookup.ts';
import { normalisePhone } from './phone.ts';
import type { TwilioClient } from './twilio-client.ts';

const CLAIM_LOST = Symbol('claim lost');

/** What became of a row that did not fail: failures are Errors (see ../errors.ts). */
export type Delivered = 'sent' | 'recovered' | 'skipped' | 'parked' | 'released';
export type RowResult = Delivered | Error;

export interface SenderDeps {
  rows: SmsRows;
  client: TwilioClient;
  limiter: RateLimiter;
  slots: Slots;
  breaker: Breaker;
  sms: SmsSettings;
  twilio: TwilioConfig;
  /** Batches running at once (DBFIFO_CONCURRENCY). */
  batches: number;
}

export class Sender {
  /** Rows this process is working on; a resolver leaves them alone. */
  readonly inFlight = new Set<number>();
  readonly #recorder: Batcher<number, SentRecord, boolean>;
  /**
   * Rows claimed at once. With a rate limit, the batches running together
   * claim no more than go out in a quarter of SMS_STUCK_AFTER_MS, so a claimed
   * row does not wait long for its turn (renewing its claim, or being taken
   * over by a resolver that thinks its worker died).
   */
  readonly #claimMax: number;

  constructor(private readonly d: SenderDeps) {
    // Flushes run one at a time: what is sent while one is written joins the next (group commit).
    this.#recorder = new Batcher((batch) => recordSent(d.rows, [...batch.values()].map((v) => v[v.length - 1]!)));
    const { ratePerSec, stuckAfterMs } = d.sms;
    this.#claimMax = ratePerSec > 0 ? Math.max(1, Math.floor((ratePerSec * stuckAfterMs) / 4000 / d.batches)) : Infinity;
  }

  /**
   * Rows read as pending (or 'unknown'): numbers checked, the valid ones
   * claimed in one statement and sent. One result per row, in order.
   */
  async deliver(rows: readonly OutboxRow[], log: Logger, signal: AbortSignal): Promise<RowResult[]> {
    const results: RowResult[] = rows.map(() => 'skipped');
    const toClaim: { i: number; row: OutboxRow; e164: string }[] = [];
    const invalid: { i: number; id: number; reason: string }[] = [];
    const unknown: number[] = [];
    rows.forEach((row, i) => {
      if (row.status === 'unknown') unknown.push(i);
      if (row.status !== 'pending') return;
      const n = normalisePhone(row.mobile, this.d.sms.defaultRegion);
      if (n.ok) toClaim.push({ i, row, e164: n.e164 });
      else invalid.push({ i, id: row.id, reason: n.reason });
    });
    if (invalid.length) {
      await this.d.rows.markInvalid(invalid);
      for (const x of invalid) {
        results[x.i] = new InvalidNumberError(x.reason);
        log.warn({ id: x.id, reason: x.reason }, 'sms row failed: invalid number, not sent');
      }
    }
    await Promise.all([
      this.#claimAndSend(toClaim, results, log, signal),
      ...unknown.map(async (i) => (results[i] = await this.resolve(rows[i]!, log, signal).catch(toError))),
    ]);
    return results;
  }

  /**
   * A row whose outcome is open and that nobody holds: 'unknown', or
   * 'sending' past SMS_STUCK_AFTER_MS (its worker died between claim and
   * record). Ask the provider (or park the row), then send only if nothing went out.
   */
  async resolve(row: OutboxRow, log: Logger, signal: AbortSignal): Promise<Delivered> {
    const from = row.status;
    if (this.inFlight.has(row.id) || (from !== 'sending' && from !== 'unknown')) return 'skipped';
    const e164 = row.to_e164 ?? (normalisePhone(row.mobile, this.d.sms.defaultRegion) as { e164?: string }).e164;
    const claimedAtMs = row.claimed_at_ms ?? 0;
    if (this.d.sms.recovery === 'park' || !e164) {
      const note = `outcome unknown: claimed ${new Date(claimedAtMs).toISOString()} by a worker that never recorded a result; check the provider, then set status to 'sent' or 'pending'`;
      const parked = await this.d.rows.park(row.id, row.attempts, note, from);
      if (parked) log.warn({ id: row.id }, 'sms row parked for a person');
      return parked ? 'parked' : 'skipped';
    }
    return this.#guarded(row.id, async () => {
      if (!this.d.breaker.allow()) throw unavailable(row.id);
      let sid: string | undefined;
      try {
        sid = await this.#ask({ id: row.id, to_e164: e164, body: row.body, claimedAtMs }, signal);
      } catch (err) {
        throw new SmsError('OUTCOME_UNKNOWN', `sms row ${row.id}: the provider could not be asked whether it has the text: ${(err as Error).message}`, { cause: err });
      }
      if (sid) {
        const why = from === 'unknown' ? 'its answer was lost' : 'worker stopped before recording';
        const ok = await this.d.rows.markSent(row.id, row.attempts, sid, `recovered: the provider had it already (${why})`, from);
        if (ok) log.info({ id: row.id, sid }, 'sms row recovered: already sent, not resent');
        return ok ? 'recovered' : 'skipped';
      }
      // Not sent: take the row over (compare-and-set: one resolver wins) and send.
      if (!(await this.d.rows.takeOver(row.id, row.attempts, from))) return 'skipped';
      log.info({ id: row.id }, 'sms row was claimed but never sent: sending now');
      return this.#send({ id: row.id, e164, body: row.body, token: row.attempts + 1 }, log, signal);
    });
  }

  /** Records still waiting for their group commit are written (shutdown). */
  async drain(): Promise<void> {
    await this.#recorder.drain();
  }

  async #claimAndSend(todo: { i: number; row: OutboxRow; e164: string }[], results: RowResult[], log: Logger, signal: AbortSignal): Promise<void> {
    for (let at = 0; at < todo.length; at += this.#claimMax) {
      const part = todo.slice(at, at + this.#claimMax);
      if (signal.aborted) {
        for (const x of part) results[x.i] = 'released'; // never claimed: still pending
        continue;
      }
      if (!this.d.breaker.allow()) {
        for (const x of part) results[x.i] = unavailable(x.row.id);
        continue;
      }
      const won = await this.d.rows.claim(part.map((x) => ({ id: x.row.id, e164: x.e164 })));
      await Promise.all(part.map(async (x) => {
        const token = won.get(x.row.id);
        if (token === undefined) return; // another consumer's claim won it: 'skipped'
        const c: Claimed = { id: x.row.id, e164: x.e164, body: x.row.body, token };
        results[x.i] = await this.#guarded(c.id, () => this.#send(c, log, signal)).catch(toError);
      }));
    }
  }

  async #guarded<T>(id: number, fn: () => Promise<T>): Promise<T> {
    this.inFlight.add(id);
    try {
      return await fn();
    } finally {
      this.inFlight.delete(id);
    }
  }

  #backoffMs(attempt: number): number {
    return backoffDelay(attempt, { initialMs: this.d.sms.retryBaseMs, maxMs: this.d.sms.retryMaxMs, jitter: true });
  }

  /**
   * One "did it go out?" question, through a send slot. Provider failures
   * count towards the breaker; what the database says is not the provider's.
   */
  async #ask(target: LookupTarget, signal: AbortSignal): Promise<string | undefined> {
    const release = await this.d.slots.take(signal);
    let sids: string[];
    try {
      sids = await recentMatches(this.d.client, target, this.d.sms.recoveryWindowMs);
      this.d.breaker.answered();
    } catch (err) {
      if (classify(err).outage) this.d.breaker.failed();
      throw err;
    } finally {
      release();
    }
    return firstUnrecorded(this.d.rows, sids);
  }

  /**
   * After an ambiguous error: ask the provider, again with backoff while the
   * question fails (an outage often hits the list endpoint too), renewing the
   * claim before each try. When it cannot be asked (SMS_SEND_ATTEMPTS failed
   * questions, the breaker opened, shutdown) the row becomes 'unknown': nothing
   * is resent blind, and whoever takes the row next asks first.
   */
  async #lookup(c: Claimed, last: Verdict, log: Logger, signal: AbortSignal): Promise<string | undefined | typeof CLAIM_LOST> {
    if (!(await this.d.rows.touch(c.id, c.token))) return CLAIM_LOST;
    const row = await this.d.rows.fetch(c.id);
    const target = { id: c.id, to_e164: c.e164, body: c.body, claimedAtMs: row?.claimed_at_ms ?? Date.now() };
    for (let attempt = 1; ; attempt++) {
      if (!this.d.breaker.allow()) return this.#unknown(c, last, 'the provider is failing (circuit breaker open)', log);
      try {
        return await this.#ask(target, signal);
      } catch (err) {
        if (signal.aborted) return this.#unknown(c, last, 'shutdown', log);
        if (attempt >= this.d.sms.sendAttempts) return this.#unknown(c, last, `${attempt} lookups failed, last: ${(err as Error).message}`, log);
        log.warn({ id: c.id, attempt, err: (err as Error).message }, 'sms lookup failed, will ask again');
      }
      try {
        await sleep(this.#backoffMs(attempt), undefined, { signal });
      } catch {
        return this.#unknown(c, last, 'shutdown', log);
      }
      if (!(await this.d.rows.touch(c.id, c.token))) return CLAIM_LOST;
    }
  }

  /** The row becomes 'unknown'; throws OUTCOME_UNKNOWN (or answers CLAIM_LOST when it was not ours any more). */
  async #unknown(c: Claimed, last: Verdict, why: string, log: Logger): Promise<typeof CLAIM_LOST> {
    if (!(await this.d.rows.markUnknown(c.id, c.token, last.code, `${last.message}; not asked whether it went out: ${why}`))) return CLAIM_LOST;
    log.warn({ id: c.id, code: last.code, why }, "sms row 'unknown': a request may have gone out; the provider is asked before any resend");
    throw new SmsError('OUTCOME_UNKNOWN', `sms row ${c.id}: ${last.code} and the provider could not be asked whether the text went out (${why})`);
  }

  /** Slot, rate limit, checks: the slot to release once the create may go, else the row's result. */
  async #turn(c: Claimed, log: Logger, signal: AbortSignal): Promise<{ release: () => void } | Delivered> {
    const { rows, sms } = this.d;
    const waitStarted = performance.now();
    let release: () => void;
    try {
      release = await this.d.slots.take(signal);
    } catch {
      await rows.release(c.id, c.token); // shutdown while waiting: nothing went out
      return 'released';
    }
    try {
      await this.d.limiter.take(signal);
    } catch {
      release();
      await rows.release(c.id, c.token);
      return 'released';
    }
    // The waits have no upper bound (a slow shared rate, Redis down, a long
    // batch ahead). A resolver takes a row over only after SMS_STUCK_AFTER_MS
    // without renewal. So after a wait of half that, renew the claim and send
    // only if it is still ours, or both would send. (Not after every wait: a
    // DB round trip between the grant and the create would bunch creates up.)
    if (performance.now() - waitStarted > sms.stuckAfterMs / 2 && !(await rows.touch(c.id, c.token))) {
      release();
      log.warn({ id: c.id }, 'sms row taken over while waiting for its turn; not sent by this worker');
      return 'skipped';
    }
    if (!this.d.breaker.allow()) {
      release();
      await rows.release(c.id, c.token);
      throw unavailable(c.id);
    }
    return { release };
  }

  /** The claimed part: create, retry, record. `c.token` is the attempts value of our current request. */
  async #send(c: Claimed, log: Logger, signal: AbortSignal): Promise<Delivered> {
    const { rows, sms, breaker } = this.d;
    for (let attempt = 1; ; attempt++) {
      const turn = await this.#turn(c, log, signal);
      if (typeof turn === 'string') return turn;
      let verdict: Verdict;
      try {
        const msg = await this.d.client.messages.create({
          to: c.e164,
          body: c.body,
          ...(this.d.twilio.messagingServiceSid ? { messagingServiceSid: this.d.twilio.messagingServiceSid } : { from: this.d.twilio.from! }),
        });
        turn.release();
        breaker.answered();
        if (!(await this.#recorder.add(c.id, { id: c.id, token: c.token, sid: msg.sid }))) {
          log.error({ id: c.id, sid: msg.sid }, "sms sent but not recorded (the row changed under us, or the database failed); a 'sending' row is resolved by reconcile's lookup");
        }
        log.info({ id: c.id, sid: msg.sid, to: c.e164, attempt }, 'sms sent');
        return 'sent';
      } catch (err) {
        turn.release();
        verdict = classify(err);
      }
      if (verdict.outage) breaker.failed();
      else breaker.answered();

      if (verdict.kind === 'permanent') {
        await rows.markFailed(c.id, c.token, verdict.code, verdict.message);
        log.warn({ id: c.id, code: verdict.code, err: verdict.message }, 'sms row failed: provider refused it, not retried');
        throw new ProviderRefusedError(verdict.message, verdict.code);
      }
      await rows.noteError(c.id, c.token, verdict.code, verdict.message);
      log.warn({ id: c.id, code: verdict.code, kind: verdict.kind, attempt }, 'sms send failed, will retry');

      // Back off first: after an ambiguous error this also gives a slow provider
      // time to finish the request before we look for its result.
      try {
        await sleep(this.#backoffMs(attempt), undefined, { signal });
      } catch {
        if (verdict.kind === 'retry') await rows.release(c.id, c.token); // certainly not sent
        else await this.#unknown(c, verdict, 'shutdown', log).catch(() => undefined);
        return 'released';
      }

      if (verdict.kind === 'unknown') {
        const sid = await this.#lookup(c, verdict, log, signal);
        if (sid === CLAIM_LOST) return 'skipped';
        if (sid) {
          await rows.markSent(c.id, c.token, sid, `recovered after ${verdict.code}: the provider had it`);
          log.info({ id: c.id, sid }, 'sms was sent despite the error; recorded, not resent');
          return 'recovered';
        }
      }
      if (attempt >= sms.sendAttempts) {
        await rows.release(c.id, c.token);
        throw new SmsError('SEND_EXHAUSTED', `sms row ${c.id}: ${attempt} tries failed, last ${verdict.code}: ${verdict.message}; back to pending`);
      }
      if (!(await rows.nextAttempt(c.id, c.token))) return 'skipped';
      c = { ...c, token: c.token + 1 };
    }
  }
}

function unavailable(id: number): SmsError {
  return new SmsError('PROVIDER_UNAVAILABLE', `sms row ${id}: the provider is failing (circuit breaker open); no request made, the row waits`);
}

export const toError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/**
 * One group commit of sent rows. If the statement fails (a provider sid
 * already on another row), each row is recorded on its own so one conflict
 * does not cost the others their record. A row left unrecorded stays
 * 'sending'; reconcile's lookup finds its text and records it.
 */
async function recordSent(rows: SmsRows, records: SentRecord[]): Promise<Map<number, boolean>> {
  let done: Set<number>;
  try {
    done = await rows.markSentMany(records);
  } catch {
    done = new Set();
    for (const r of records) if (await rows.markSent(r.id, r.token, r.sid).catch(() => false)) done.add(r.id);
  }
  return new Map(records.map((r) => [r.id, done.has(r.id)]));
}
