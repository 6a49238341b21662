// One timer per expiring ban, so the table (and the iptables backend, which
// has no kernel timeout) reflect an expiry when it happens, not at the next
// reconcile. Timers do not keep the process alive; bans beyond setTimeout's
// range are left to reconcile.
const MAX_DELAY = 2 ** 31 - 1;

export class ExpiryTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  constructor(private readonly onExpire: (address: string) => void) {}

  /** (Re)arm the timer of `address`; ttlMs null or too far ahead: no timer. */
  set(address: string, ttlMs: number | null): void {
    this.clear(address);
    if (ttlMs === null || ttlMs > MAX_DELAY) return;
    const t = setTimeout(() => {
      this.timers.delete(address);
      this.onExpire(address);
    }, Math.max(0, ttlMs) + 5); // +5 ms: the database must see it expired too
    t.unref();
    this.timers.set(address, t);
  }

  clear(address: string): void {
    const t = this.timers.get(address);
    if (t) clearTimeout(t);
    this.timers.delete(address);
  }

  clearAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  get size(): number {
    return this.timers.size;
  }
}
