// Direct-mode dispatch: at most `concurrency` tasks at once; tasks that share a
// key run one after another in arrival order (two edits of one row are never
// handled out of order), tasks without a key just run when a slot is free.
export type Task = () => Promise<void>;

interface Item {
  key: string | undefined;
  run: Task;
}

export class KeyedDispatcher {
  private running = 0;
  private ready: Item[] = [];
  private readyHead = 0;
  /** key → tasks waiting behind the one with that key that is running or ready. */
  private waiting = new Map<string, Item[]>();
  private waitingCount = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(readonly concurrency: number, private onSettled: () => void = () => {}) {}

  /** Tasks accepted and not finished (running + queued). */
  get size(): number {
    return this.running + (this.ready.length - this.readyHead) + this.waitingCount;
  }

  get active(): number {
    return this.running;
  }

  push(run: Task, key?: string): void {
    const item = { key, run };
    if (key !== undefined) {
      const q = this.waiting.get(key);
      if (q) {
        q.push(item);
        this.waitingCount++;
        return;
      }
      this.waiting.set(key, []);
    }
    this.ready.push(item);
    this.pump();
  }

  /** Resolves when nothing is running or queued. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.readyHead < this.ready.length) {
      const item = this.ready[this.readyHead++]!;
      if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
        this.ready = this.ready.slice(this.readyHead);
        this.readyHead = 0;
      }
      this.running++;
      // A task's own errors are its business (the worker wraps handlers); never let one stall the queue.
      void item.run().catch(() => {}).finally(() => this.finish(item));
    }
  }

  private finish(item: Item): void {
    this.running--;
    if (item.key !== undefined) {
      const q = this.waiting.get(item.key)!;
      const next = q.shift();
      if (next) {
        this.waitingCount--;
        this.ready.push(next);
      } else {
        this.waiting.delete(item.key);
      }
    }
    this.pump();
    this.onSettled();
    if (this.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }
}
