// One lock for the workers' "who may touch this at the same time" questions:
// many `shared` holders at once (doorbell batches on different keys), or one
// `exclusive` holder alone (a reconcile rebuilding everything from one
// snapshot, a template reload). Exclusive waiters are served in arrival
// order and new shared holders wait behind them, so a stream of shared work
// cannot starve a reconcile.
export class SharedLock {
  private readers = 0;
  private writer: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  async shared<T>(fn: () => Promise<T>): Promise<T> {
    while (this.writer) await this.writer;
    this.readers++;
    try {
      return await fn();
    } finally {
      if (--this.readers === 0) this.drained?.();
    }
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.writer) await this.writer;
    let release!: () => void;
    this.writer = new Promise<void>((r) => (release = r));
    try {
      if (this.readers > 0) await new Promise<void>((r) => (this.drained = r));
      this.drained = undefined;
      return await fn();
    } finally {
      this.writer = undefined;
      release();
    }
  }
}
