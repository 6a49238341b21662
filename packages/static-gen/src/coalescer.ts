// Turns a burst of doorbells into one batch. Every add() joins the pending
// batch and returns a promise for *its key's* outcome in that batch. The batch
// flushes `debounceMs` after the last add, but never later than `maxWaitMs`
// after the first one, so a steady stream still gets pages out. Batches run
// one at a time: an add during a flush joins the next batch.

export interface CoalescerOptions {
  debounceMs: number;
  maxWaitMs: number;
}

/**
 * Flush one batch; the result maps a key to its error (missing = success), or
 * to a function deciding per value (e.g. only some edits of an article were rolled back).
 */
export type FlushOutcome<V> = Error | ((value: V) => Error | undefined);
export type FlushFn<K, V> = (batch: Map<K, V[]>) => Promise<Map<K, FlushOutcome<V>>>;

interface Waiter<V> {
  value: V;
  resolve(): void;
  reject(err: unknown): void;
}

interface Batch<K, V> {
  items: Map<K, V[]>;
  waiters: Map<K, Waiter<V>[]>;
  firstAt: number;
}

export class Coalescer<K, V> {
  #pending: Batch<K, V> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #flushing = false;

  constructor(
    private readonly opts: CoalescerOptions,
    private readonly flushFn: FlushFn<K, V>,
  ) {}

  add(key: K, value: V): Promise<void> {
    const batch = (this.#pending ??= { items: new Map(), waiters: new Map(), firstAt: Date.now() });
    const items = batch.items.get(key);
    if (items) items.push(value);
    else batch.items.set(key, [value]);
    const done = new Promise<void>((resolve, reject) => {
      const list = batch.waiters.get(key);
      if (list) list.push({ value, resolve, reject });
      else batch.waiters.set(key, [{ value, resolve, reject }]);
    });
    this.#arm();
    return done;
  }

  /** Flush whatever is pending now and wait for every batch to finish (shutdown, tests). */
  async drain(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending) this.#startFlush();
    await this.#running;
    if (this.#pending) return this.drain();
  }

  #arm(): void {
    if (this.#flushing) return; // the running flush re-arms when it ends
    const batch = this.#pending;
    if (!batch) return;
    clearTimeout(this.#timer);
    const wait = Math.max(0, Math.min(this.opts.debounceMs, batch.firstAt + this.opts.maxWaitMs - Date.now()));
    this.#timer = setTimeout(() => this.#startFlush(), wait);
  }

  #startFlush(): void {
    const batch = this.#pending;
    if (!batch || this.#flushing) return;
    this.#pending = undefined;
    this.#timer = undefined;
    this.#flushing = true;
    this.#running = this.#run(batch).finally(() => {
      this.#flushing = false;
      this.#arm();
    });
  }

  async #run(batch: Batch<K, V>): Promise<void> {
    let errors: Map<K, FlushOutcome<V>>;
    try {
      errors = await this.flushFn(batch.items);
    } catch (err) {
      for (const list of batch.waiters.values()) for (const w of list) w.reject(err);
      return;
    }
    for (const [key, list] of batch.waiters) {
      const outcome = errors.get(key);
      for (const w of list) {
        const err = typeof outcome === 'function' ? outcome(w.value) : outcome;
        if (err) w.reject(err);
        else w.resolve();
      }
    }
  }
}
