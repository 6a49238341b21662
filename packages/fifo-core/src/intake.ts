// From the reader's frames to the pending set: every line counted, refused
// ones set aside (dead-letter file), accepted ones built into messages and
// tracked: merged with a pending message of their key, added, or, past the
// bound or while a catch-up is due, dropped for that catch-up (a doorbell)
// or set aside (a message no reconcile can recover). Also builds the message
// a queue-mode consumer re-reads from a job.
import { InvalidMessageError, type Helpers, type Message, type WorkerDefinition } from './contract.ts';
import type { CatchUpReason } from './catch-up.ts';
import type { RuntimeConfig } from './config.ts';
import type { DeadLetterFile } from './dead-letter.ts';
import type { FrameEvent } from './line-framer.ts';
import type { Logger } from './logger.ts';
import { buildMessage, prepareMessage } from './message.ts';
import type { WorkerMetrics } from './metrics.ts';
import type { PendingSet } from './pending.ts';

export interface IntakeOptions<C, T> {
  def: WorkerDefinition<C, T>;
  rt: RuntimeConfig;
  pending: PendingSet<T>;
  metrics: WorkerMetrics;
  log: Logger;
  dead: DeadLetterFile;
  helpersFor(bindings: Record<string, unknown>): Helpers<C>;
  /** A new message id: `<queue>:<reader start>:<seq>`. */
  nextId(): string;
  /** True while a catch-up is due that has not started: a new doorbell need not be tracked. */
  catchUpDue(): boolean;
  /** A dropped doorbell can be caught up from the rows (the worker reconciles). */
  canCatchUp: boolean;
  lost(reason: CatchUpReason, n: number): void;
  /** Look for work (after a read's messages went in). */
  kick(): void;
}

export interface Intake<T> {
  /** The lines of one read. */
  takeFrames(frames: FrameEvent[], receivedAt: Date): void;
  /** Build and validate a message; undefined when refused (counted and set aside). */
  accept(raw: string, receivedAt: Date, id: string, attempt?: number): { m: Message<T>; key?: string } | undefined;
}

export function createIntake<C, T>(o: IntakeOptions<C, T>): Intake<T> {
  const { def, rt, pending, metrics, log, dead } = o;
  let overflowLogged = false;

  function refuse(reason: string, raw: Buffer | string, detail?: string, id?: string): void {
    metrics.invalid(reason);
    log.warn({ reason, detail, msgId: id, deadLetter: rt.deadLetterFile }, 'line refused');
    void dead.write(reason, raw, { detail, id });
  }

  function accept(raw: string, receivedAt: Date, id: string, attempt = 1): { m: Message<T>; key?: string } | undefined {
    const base = buildMessage(raw, { id, pipe: rt.pipe, receivedAt, attempt });
    try {
      const m = prepareMessage(def, base, o.helpersFor({ msgId: id }));
      return { m, key: def.key?.(m) };
    } catch (e) {
      const code = e instanceof InvalidMessageError ? e.code : 'KEY_FAILED';
      refuse(code.toLowerCase(), raw, (e as Error).message, id);
      return undefined;
    }
  }

  function drop(): void {
    metrics.dropped();
    o.lost('pending_full', 1);
  }

  function track(m: Message<T>, key: string | undefined, now: number): void {
    if (key !== undefined && o.catchUpDue() && !pending.has(key)) return drop();
    const r = pending.add(m, key, now);
    if (r === 'merged') metrics.merged();
    if (r !== 'over') return;
    if (key !== undefined && o.canCatchUp) return drop();
    if (!overflowLogged) log.error({ pending: pending.size, deadLetter: rt.deadLetterFile }, 'pending set full: messages that no reconcile can recover are set aside in the dead-letter file');
    overflowLogged = true;
    void dead.write('pending_full', m.raw, { id: m.id });
  }

  return {
    accept,
    takeFrames(frames, receivedAt) {
      const now = receivedAt.getTime();
      metrics.received(frames.length);
      for (const f of frames) {
        const id = o.nextId();
        if (f.kind === 'refused') {
          refuse(f.reason, f.raw, `${f.bytes} bytes`, id);
          continue;
        }
        const a = accept(f.text, receivedAt, id);
        if (a) track(a.m, a.key, now);
      }
      if (pending.size < pending.max / 2) overflowLogged = false;
      o.kick();
    },
  };
}
