// Queue mode, relay side: hands what is pending to Redis, one addBulk per
// batch, one batch at a time, while the reader goes on draining the pipe.
// While Redis is away (down, or answering writes with an error) the batch
// goes back into the pending set and is tried again with backoff, merging
// with newer doorbells for the same keys in the meantime; nothing waits on
// the pipe. A catch-up owed to the consumers (doorbells dropped past the
// bound, a full pipe, a relay start) travels as a `catch-up` job in the next
// batch that reaches Redis.
import type { Logger } from 'pino';
import { Backoff } from './backoff.ts';
import type { CatchUpReason } from './catch-up.ts';
import type { Message } from './contract.ts';
import type { WorkerMetrics } from './metrics.ts';
import type { PendingEntry, PendingSet } from './pending.ts';
import { CATCH_UP_JOB, LINE_JOB, type QueueRelay, type RelayJob } from './queue-relay.ts';

/** The pending-set key of the catch-up a relay owes its consumers. */
export const CATCH_UP_KEY = '\u0000catch-up';

export interface RelayPath<T> {
  run(entries: PendingEntry<T>[]): Promise<void>;
  /** Owe the consumers a catch-up; the caller adds a CATCH_UP_KEY entry to the pending set. */
  owe(reason: CatchUpReason, lost: number): void;
  /** Lines in the batch being handed to Redis now (dead-lettered if shutdown cannot wait for it). */
  readonly inFlight: readonly Message<T>[];
  /** Redis is unreachable (the connection said so): an outage begins, if none has yet. */
  noteOutage(): void;
}

export function createRelayPath<T>(o: {
  relay: QueueRelay;
  pending: PendingSet<T>;
  metrics: WorkerMetrics;
  log: Logger;
  pipe: string;
  /** Told once when an outage begins (a batch refused or stuck): the caller owes the consumers a catch-up. */
  onOutage(): void;
}): RelayPath<T> {
  const backoff = new Backoff({ initialMs: 100, maxMs: 5000 });
  let owed: Partial<Record<CatchUpReason, number>> = {};
  let inFlight: Message<T>[] = [];
  let outageSince: number | undefined;

  function toJob(e: PendingEntry<T>, sending: Partial<Record<CatchUpReason, number>>): RelayJob {
    // BullMQ takes a custom id with ':' only as three parts, as message ids are (<queue>:<start>:<seq>).
    if (e.key === CATCH_UP_KEY) return { name: CATCH_UP_JOB, id: e.message.id.replace(/^[^:]*/, (q) => `${q}-catch-up`), data: { pipe: o.pipe, reasons: sending } };
    const m = e.message;
    return { name: LINE_JOB, id: m.id, ...(typeof e.key === 'string' && e.keyed ? { key: e.key } : {}), data: { raw: m.raw, receivedAt: m.receivedAt.toISOString(), pipe: m.pipe } };
  }

  function beginOutage(): void {
    if (outageSince !== undefined) return;
    outageSince = Date.now();
    o.onOutage();
  }

  return {
    get inFlight() {
      return inFlight;
    },
    noteOutage: beginOutage,
    owe(reason, lost) {
      owed[reason] = (owed[reason] ?? 0) + lost;
    },
    async run(entries) {
      const sending = owed;
      const carriesCatchUp = entries.some((e) => e.key === CATCH_UP_KEY);
      if (carriesCatchUp) owed = {};
      inFlight = entries.filter((e) => e.key !== CATCH_UP_KEY).map((e) => e.message);
      try {
        await o.relay.add(entries.map((e) => toJob(e, sending)));
        for (const e of entries) o.pending.finish(e);
        o.metrics.relayed(inFlight.length);
        if (outageSince !== undefined) o.log.info({ ms: Date.now() - outageSince }, 'redis takes jobs again: relaying');
        outageSince = undefined;
        backoff.reset();
      } catch (e) {
        if (carriesCatchUp) for (const [r, n] of Object.entries(sending)) owed[r as CatchUpReason] = (owed[r as CatchUpReason] ?? 0) + n;
        const at = Date.now() + backoff.next();
        for (const entry of entries) o.pending.retry(entry, at);
        if (outageSince === undefined || backoff.attempts % 10 === 0) {
          beginOutage();
          o.log.warn({ err: (e as Error).message, pending: o.pending.size, attempt: backoff.attempts },
            'redis refused the relay batch: lines stay pending (merged by key) and are relayed when it takes writes again');
        }
      } finally {
        inFlight = [];
      }
    },
  };
}
