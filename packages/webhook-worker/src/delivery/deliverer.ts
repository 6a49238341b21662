// Delivering the rows of one table, the one path for doorbells, retries,
// reconcile and redeliveries:
//
// 1. Take each row's named lock (GET_LOCK, held by one session for the
//    batch): a row is delivered by one process at a time, and since the row is
//    read after the lock is taken, each delivery sends a state at least as new
//    as the one before it. Rows another delivery holds are waited for one at a
//    time afterwards (holding no lock meanwhile, so no two sessions can wait on
//    each other), or skipped ('busy').
// 2. Read the rows as committed (one locking read) and the ledger; decide.
// 3. Record the intent (the change and its Idempotency-Key) before the POST,
//    so a crash after it retries under the same key; POST through the
//    endpoint's gate; record what came of each.
// A failed POST is the ledger's from then on: a retry is scheduled with
// backoff up to the ceiling, and after WEBHOOK_ATTEMPTS the row is
// dead-lettered (a 3xx/4xx refusal at once).
import { backoffDelay, type Logger } from '@dbfifo/fifo-core';
import type { WebhookSettings } from '../config.ts';
import { DeliveryError } from '../errors.ts';
import type { Failure, LockSession, WebhookRows } from '../rows.ts';
import { decide, type LedgerEntry, type Plan, type Seen } from './decide.ts';
import type { Endpoints } from './endpoints.ts';
import { PostAborted } from './http-post.ts';
import { wireRequest, type ChangeOp } from './request.ts';
import { keyHash, keyObject, sha256, type RowRef, type TableKey } from './row-key.ts';
import { DELETED, newIdempotencyKey, rowJson, versionOf } from './version.ts';

/** A wait for a busy row's lock is made of steps this long (GET_LOCK waits whole seconds), the shutdown signal checked between them. */
const LOCK_STEP_SECONDS = 1;

/** What became of one row. */
export type Result =
  | 'delivered'
  | 'in-line' // the receiver had it already
  | 'held' // a retry or a dead letter of this row comes first
  | 'failed' // retry scheduled
  | 'dead' // dead-lettered
  | 'forgotten' // gone, and the receiver never had it
  | 'rolled-back'
  | 'uncommitted' // its writer was still open after WEBHOOK_ROW_WAIT_MS
  | 'busy' // another delivery held it
  | 'aborted'; // shutdown

export interface DeliverOptions {
  /** A retry or a redelivery: a held row goes ahead, it is its turn. */
  retrying: boolean;
  /** Doorbells: each row's op (a delete of a row the receiver never had is nothing to do; another op is a rollback). */
  ops?: Map<string, ChangeOp>;
  /** How long to wait for a row another delivery holds; 0 = report it busy. */
  waitBusyMs: number;
  signal: AbortSignal;
  log: Logger;
}

export interface DelivererOptions {
  rows: WebhookRows;
  endpoints: Endpoints;
  settings: WebhookSettings;
  /** Names the locks apart from another ledger's or database's: `<database>.<ledger>`. */
  scope: string;
  /** Counts for metrics and stats. */
  counted(result: 'delivered' | 'failed' | 'dead_lettered', n: number): void;
  /** A retry was scheduled this far ahead. */
  retryIn(ms: number): void;
}

interface Send {
  ref: RowRef;
  hash: string;
  entry: LedgerEntry | undefined;
  plan: Extract<Plan, { kind: 'send' }>;
  idempotencyKey: string;
}

export class Deliverer {
  constructor(private readonly o: DelivererOptions) {}

  lockName(t: TableKey, ref: RowRef): string {
    return `dbfifo-webhook:${sha256(`${this.o.scope}\u0000${t.table}\u0000${ref.text}`).slice(0, 40)}`;
  }

  async deliver(t: TableKey, refs: RowRef[], o: DeliverOptions): Promise<Map<string, Result>> {
    const out = new Map<string, Result>();
    const { rows } = this.o;
    const session = await rows.session();
    let broken = false;
    try {
      const names = refs.map((r) => this.lockName(t, r));
      const got = await rows.lock(session, names, 0);
      try {
        await this.locked(t, refs.filter((_, i) => got[i]), o, out);
      } finally {
        await rows.unlock(session, names.filter((_, i) => got[i]));
      }
      for (const [i, ref] of refs.entries()) {
        if (got[i]) continue;
        if (!(await this.waitForLock(session, names[i]!, o))) {
          out.set(ref.text, 'busy');
          continue;
        }
        try {
          await this.locked(t, [ref], o, out);
        } finally {
          await rows.unlock(session, [names[i]!]);
        }
      }
    } catch (e) {
      // The server drops a session's locks with it: never hand a session that may hold some back to the pool.
      broken = true;
      session.destroy();
      throw e;
    } finally {
      if (!broken) session.release();
    }
    return out;
  }

  /** Waits up to o.waitBusyMs for a lock another delivery holds, in short steps so that shutdown is not held up. */
  private async waitForLock(session: LockSession, name: string, o: DeliverOptions): Promise<boolean> {
    const until = Date.now() + o.waitBusyMs;
    while (Date.now() < until && !o.signal.aborted) {
      const [mine] = await this.o.rows.lock(session, [name], LOCK_STEP_SECONDS);
      if (mine) return true;
    }
    return false;
  }

  /** Steps 2 and 3 for rows whose locks this process holds. */
  private async locked(t: TableKey, refs: RowRef[], o: DeliverOptions, out: Map<string, Result>): Promise<void> {
    if (refs.length === 0) return;
    const { rows, settings } = this.o;
    const hashes = refs.map((r) => keyHash(t.table, r));
    const [found, entries] = await Promise.all([rows.committed(t, refs, { timeoutMs: settings.rowWaitMs, signal: o.signal }), rows.entries(hashes)]);
    const sends: Send[] = [];
    const settle: string[] = [];
    const forget: string[] = [];
    refs.forEach((ref, i) => {
      const got = found.get(ref.text);
      if (got?.state === 'timeout' || got?.state === 'aborted') return void out.set(ref.text, got.state === 'timeout' ? 'uncommitted' : 'aborted');
      let seen: Seen = { state: 'absent' };
      if (got?.state === 'committed') {
        const row = rowJson(got.row);
        seen = { state: 'committed', row, version: versionOf(row) };
      }
      const hash = hashes[i]!;
      const entry = entries.get(hash);
      const plan = decide(seen, entry, { retrying: o.retrying, doorbellOp: o.ops?.get(ref.text) });
      if (plan.kind === 'send') {
        const same = entry?.pendingVersion === plan.version && entry.pendingKey;
        sends.push({ ref, hash, entry, plan, idempotencyKey: same ? entry.pendingKey! : newIdempotencyKey() });
        return;
      }
      if (plan.kind === 'in-line' && plan.settle) settle.push(hash);
      if (plan.kind === 'forget') forget.push(hash);
      out.set(ref.text, plan.kind === 'forget' ? 'forgotten' : plan.kind);
    });
    await Promise.all([
      rows.intend(sends.filter((s) => s.entry?.pendingKey !== s.idempotencyKey).map((s) => ({ hash: s.hash, table: t.table, rowKey: s.ref.text, version: s.plan.version, key: s.idempotencyKey }))),
      rows.settled(settle),
      rows.forget(forget),
    ]);
    const outcomes = await Promise.all(sends.map((s) => this.post(t, s, o.signal)));
    await this.record(t, sends, outcomes, o, out);
  }

  private async post(t: TableKey, s: Send, signal: AbortSignal): Promise<undefined | 'aborted' | DeliveryError> {
    const change = { table: t.table, op: s.plan.op, key: keyObject(t, s.ref.parts), row: s.plan.row, version: s.plan.version };
    try {
      await this.o.endpoints.post(t.table, wireRequest(change, { idempotencyKey: s.idempotencyKey, secret: this.o.settings.secret }), signal);
      return undefined;
    } catch (e) {
      if (e instanceof PostAborted || signal.aborted) return 'aborted';
      if (e instanceof DeliveryError) return e;
      return new DeliveryError(`${this.o.endpoints.urlOf(t.table)}: ${(e as Error).message}`, 'RECEIVER_UNREACHABLE', { cause: e });
    }
  }

  private async record(t: TableKey, sends: Send[], outcomes: (undefined | 'aborted' | DeliveryError)[], o: DeliverOptions, out: Map<string, Result>): Promise<void> {
    const { rows, settings } = this.o;
    const delivered: string[] = [];
    const deleted: string[] = [];
    const failures: Failure[] = [];
    sends.forEach((s, i) => {
      const r = outcomes[i];
      if (r === 'aborted') return void out.set(s.ref.text, 'aborted'); // its intent stays: the next try reuses its key
      if (r === undefined) {
        (s.plan.version === DELETED ? deleted : delivered).push(s.hash);
        return void out.set(s.ref.text, 'delivered');
      }
      const attempts = (s.entry?.attempts ?? 0) + 1;
      const dead = !r.retryable || attempts >= settings.attempts;
      const backoff = backoffDelay(attempts, { initialMs: settings.retryBaseMs, maxMs: settings.retryMaxMs, jitter: true });
      const delayMs = Math.max(backoff, Math.min(r.o.retryAfterMs ?? 0, settings.retryMaxMs));
      const code = dead && r.retryable ? 'ATTEMPTS_EXHAUSTED' : r.code;
      failures.push({ hash: s.hash, table: t.table, rowKey: s.ref.text, attempts, delayMs, dead, code, error: r.message });
      out.set(s.ref.text, dead ? 'dead' : 'failed');
      if (dead) o.log.error({ table: t.table, key: s.ref.text, attempts, code, err: r.message }, 'webhook delivery dead-lettered: redeliver it once the receiver is fixed');
    });
    await Promise.all([rows.delivered(delivered), rows.forget(deleted), rows.failed(failures)]);
    const retrying = failures.filter((f) => !f.dead);
    this.o.counted('delivered', delivered.length + deleted.length);
    this.o.counted('failed', retrying.length);
    this.o.counted('dead_lettered', failures.length - retrying.length);
    if (retrying.length > 0) {
      const first = failures.find((f) => !f.dead)!;
      o.log.warn({ table: t.table, failed: retrying.length, of: sends.length, code: first.code, err: first.error }, 'webhook delivery failed: retry scheduled');
      this.o.retryIn(Math.min(...retrying.map((f) => f.delayMs)));
    }
  }
}
