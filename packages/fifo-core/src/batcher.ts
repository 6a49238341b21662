// Group commit: callers add work under a key and await its outcome; the work
// of many callers is flushed together by one call. A batch flushes once it
// holds `max` keys, or after `quietMs` without a new add (0: on the next turn
// of the event loop, so everything added in one tick shares a flush), but
// never later than `maxWaitMs` after its first add. Flushes run one at a
// time: work added during a flush joins the next batch, so a flush that reads
// and then writes can never be overtaken by a later one.
//
// Used for work that has no pipe of its own to batch on: queue-mode consumers
// gathering the jobs they run at once into one batch handler call, a
// firewall's expiry timers, static-gen's sitemap refresh.

export interface BatcherOptions {
  /** Most keys in one flush (default unlimited). */
  max?: number;
  /** Flush after this long without a new add (default 0: next event-loop turn). */
  quietMs?: number;
  /** Flush at the latest this long after the first add of a batch (default: quietMs, i.e. no debounce extension). */
  maxWaitMs?: number;
}

/**
 * One flush: the values added per key, in order. Return nothing when every
 * key succeeded, or a map from key to its result (a value) or its Error;
 * a key missing from the map succeeded with `undefined`. Throwing fails every key.
 */
export type FlushFn<K, V, R> = (batch: Map<K, V[]>) => Promise<Map<K, R | Error> | void>;

interface Waiter<R> {
  resolve(r: R | undefined): void;
  reject(e: unknown): void;
}

interface Pending<K, V, R> {
  values: Map<K, V[]>;
  waiters: Map<K, Waiter<R>[]>;
  firstAt: number;
}

export class Batcher<K, V, R = void> {
  private pending: Pending<K, V, R> | undefined;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private running: Promise<void> = Promise.resolve();
  private flushing = false;

  constructor(
    private readonly flushFn: FlushFn<K, V, R>,
    private readonly o: BatcherOptions = {},
  ) {}

  /** Add `value` under `key`; resolves with the key's result once its batch is flushed. */
  add(key: K, value: V): Promise<R | undefined> {
    const batch = (this.pending ??= { values: new Map(), waiters: new Map(), firstAt: Date.now() });
    const values = batch.values.get(key);
    if (values) values.push(value);
    else batch.values.set(key, [value]);
    const done = new Promise<R | undefined>((resolve, reject) => {
      const list = batch.waiters.get(key);
      if (list) list.push({ resolve, reject });
      else batch.waiters.set(key, [{ resolve, reject }]);
    });
    if (this.o.max !== undefined && batch.values.size >= this.o.max) this.startFlush();
    else this.arm();
    return done;
  }

  /** Flush whatever is pending now and wait until every batch has finished (shutdown, tests). */
  async drain(): Promise<void> {
    this.disarm();
    if (this.pending) this.startFlush();
    await this.running;
    if (this.pending) return this.drain();
  }

  private arm(): void {
    if (this.flushing || !this.pending) return; // a running flush re-arms when it ends
    this.disarm();
    const quiet = this.o.quietMs ?? 0;
    const latest = this.pending.firstAt + (this.o.maxWaitMs ?? quiet) - Date.now();
    const wait = Math.max(0, Math.min(quiet, latest));
    this.timer = wait === 0 ? setImmediate(() => this.startFlush()) : setTimeout(() => this.startFlush(), wait);
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer as NodeJS.Timeout);
    clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = undefined;
  }

  private startFlush(): void {
    if (this.flushing || !this.pending) return;
    this.disarm();
    const all = this.pending;
    let batch = all;
    if (this.o.max !== undefined && all.values.size > this.o.max) {
      batch = { values: new Map(), waiters: new Map(), firstAt: all.firstAt };
      for (const [k, v] of all.values) {
        if (batch.values.size >= this.o.max) break;
        batch.values.set(k, v);
        batch.waiters.set(k, all.waiters.get(k)!);
        all.values.delete(k);
        all.waiters.delete(k);
      }
    } else {
      this.pending = undefined;
    }
    this.flushing = true;
    this.running = this.run(batch).finally(() => {
      this.flushing = false;
      if (this.pending && this.o.max !== undefined && this.pending.values.size >= this.o.max) this.startFlush();
      else this.arm();
    });
  }

  private async run(batch: Pending<K, V, R>): Promise<void> {
    let results: Map<K, R | Error> | void;
    try {
      results = await this.flushFn(batch.values);
    } catch (err) {
      for (const list of batch.waiters.values()) for (const w of list) w.reject(err);
      return;
    }
    for (const [key, list] of batch.waiters) {
      const r = results?.get(key);
      for (const w of list) {
        if (r instanceof Error) w.reject(r);
        else w.resolve(r);
      }
    }
  }
}
