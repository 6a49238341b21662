// Group commit for address syncs. A lone doorbell is synced at once (next
// tick); while a group is being applied, every address that arrives waits for
// the next group, which carries all of them (up to maxBatch). Groups run one
// after another, never side by side: a group reads the table and then writes
// the kernel, so an older group finishing after a newer one could undo it.
// One address asked for twice while waiting is synced once: a sync reads the
// table as it is then, so the later request is served by the same read.

/** Per key: the result, or the error that key failed with. */
export type GroupResult<R> = Map<string, R | Error>;

interface Waiter<R> {
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class SyncBatcher<R> {
  private pending = new Map<string, Waiter<R>[]>();
  private running = false;
  /** Groups run so far and the keys they carried (metrics, tests, benchmark). */
  readonly stats = { groups: 0, keys: 0, largest: 0 };

  constructor(
    private readonly runGroup: (keys: string[]) => Promise<GroupResult<R>>,
    private readonly maxBatch = 1000,
    private readonly windowMs = 0,
  ) {}

  sync(key: string): Promise<R> {
    return new Promise((resolve, reject) => {
      const list = this.pending.get(key);
      if (list) list.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      if (!this.running) {
        this.running = true;
        // Idle: go on the next turn, so doorbells handled in the same tick share the group.
        const go = () => void this.drain();
        if (this.windowMs > 0) setTimeout(go, this.windowMs);
        else setImmediate(go);
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const group = new Map<string, Waiter<R>[]>();
        for (const [k, w] of this.pending) {
          if (group.size >= this.maxBatch) break;
          group.set(k, w);
        }
        for (const k of group.keys()) this.pending.delete(k);
        this.stats.groups++;
        this.stats.keys += group.size;
        this.stats.largest = Math.max(this.stats.largest, group.size);
        let results: GroupResult<R>;
        try {
          results = await this.runGroup([...group.keys()]);
        } catch (err) {
          for (const ws of group.values()) for (const w of ws) w.reject(err);
          continue;
        }
        for (const [k, ws] of group) {
          const r = results.get(k);
          for (const w of ws) {
            if (r instanceof Error) w.reject(r);
            else if (r === undefined) w.reject(new Error(`sync group returned no result for ${JSON.stringify(k.slice(0, 80))}`));
            else w.resolve(r);
          }
        }
      }
    } finally {
      this.running = false;
    }
  }
}
