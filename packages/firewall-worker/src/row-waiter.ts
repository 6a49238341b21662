// The trigger rings before COMMIT, so each doorbell waits until its row shows
// the state the doorbell announces. Waiting one doorbell at a time costs a
// query per doorbell per retry; here every doorbell waiting at the moment is
// answered by ONE `SELECT … WHERE id IN (…)`, retried with a doubling delay
// (1, 2, 4 … ms, capped) for those not settled yet, until each one's own
// deadline. A doorbell that arrives while the loop sleeps is read at once.
import type { RowState } from './store.ts';

/** A row as the doorbell expects it: a RowState, or a marker for delete/moved; undefined = not yet. */
export type Settle<R> = (row: RowState | undefined) => R | undefined;

interface Waiter {
  id: number;
  settle: Settle<unknown>;
  deadline: number;
  signal?: AbortSignal;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class RowWaiter {
  private waiting: Waiter[] = [];
  private running = false;
  private delay = 1;
  private sleeper: { timer: NodeJS.Timeout; wake: () => void } | undefined;

  constructor(
    private readonly read: (ids: readonly number[]) => Promise<Map<number, RowState>>,
    private readonly maxDelayMs = 200,
  ) {}

  /** Resolves what `settle` returned once it returned something, or undefined after timeoutMs / on abort. */
  wait<R>(id: number, settle: Settle<R>, o: { timeoutMs: number; signal?: AbortSignal }): Promise<R | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ id, settle, deadline: Date.now() + o.timeoutMs, signal: o.signal, resolve: resolve as (v: unknown) => void, reject });
      this.delay = 1;
      if (this.sleeper) this.sleeper.wake();
      else if (!this.running) {
        this.running = true; // idle: read on the next turn, so doorbells of the same tick share the read
        setImmediate(() => void this.loop());
      }
    });
  }

  get pending(): number {
    return this.waiting.length;
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting;
        this.waiting = [];
        let rows: Map<number, RowState>;
        try {
          rows = await this.read([...new Set(batch.map((w) => w.id))]);
        } catch (err) {
          for (const w of batch) w.reject(err); // as a failed single read would: the handler fails and says why
          continue;
        }
        const now = Date.now();
        for (const w of batch) {
          const v = w.settle(rows.get(w.id));
          if (v !== undefined) w.resolve(v);
          else if (now >= w.deadline || w.signal?.aborted) w.resolve(undefined);
          else this.waiting.push(w);
        }
        if (this.waiting.length === 0) break;
        const nearest = Math.min(...this.waiting.map((w) => w.deadline)) - Date.now();
        await this.sleep(Math.max(0, Math.min(this.delay, nearest)));
        this.delay = Math.min(this.delay * 2, this.maxDelayMs);
      }
    } finally {
      this.running = false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeper = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeper = { timer, wake };
    });
  }
}
