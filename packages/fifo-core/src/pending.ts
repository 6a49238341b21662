// The pending set: messages taken off the pipe and not handled yet. The reader
// adds every accepted message at reader speed; the dispatcher takes batches.
//
// - A message with a key merges into a pending message with the same key
//   (the handler re-reads the row anyway), so a burst of doorbells for one
//   row costs one handler run, and memory grows with keys, not lines.
// - A key is busy while a batch that carries it runs: its next message waits
//   `behind` it and becomes ready when it finishes, so per-key order holds
//   and one key is never handled twice at once.
// - A message whose handler failed waits `delayed` until its retry time,
//   still holding its key's place (newer messages for the key merge into it).
// - Past `max` pending messages a new key is not tracked: add() answers
//   'over' and the caller drops the doorbell for a catch-up from the rows
//   (or sets a keyless message aside). Merging never needs room.
import type { Message } from './contract.ts';

/** A message's key, or for a keyless message a number of its own. */
export type PendingKey = string | number;

export interface PendingEntry<T> {
  key: PendingKey;
  /** False for a message without a key (it merges with nothing). */
  keyed: boolean;
  message: Message<T>;
  /** When the oldest doorbell this entry stands for arrived (batch age). */
  firstAt: number;
  /** Handler runs that failed so far for this key's work. */
  attempts: number;
  /** Not dispatched before this time (a retry's backoff); 0 = ready. */
  notBefore: number;
  /** Arrival order across keyed and keyless entries. */
  seq: number;
}

export type AddResult = 'added' | 'merged' | 'over';

export type MergeFn<T> = (older: Message<T>, newer: Message<T>) => Message<T>;

export class PendingSet<T> {
  /** Ready entries with a key, in arrival order. */
  private readonly ready = new Map<PendingKey, PendingEntry<T>>();
  /**
   * Ready keyless entries, in arrival order: a plain queue, since they never
   * merge (a Map costs hashing and rehashing per message at reader speed).
   */
  private loose: PendingEntry<T>[] = [];
  private looseHead = 0;
  private readonly behind = new Map<PendingKey, PendingEntry<T>>();
  private readonly delayed = new Map<PendingKey, PendingEntry<T>>();
  private readonly busy = new Set<PendingKey>();
  private seq = 0;

  constructor(private readonly o: { max: number; merge?: MergeFn<T> }) {}

  private merge(older: Message<T>, newer: Message<T>): Message<T> {
    // Default: the newer doorbell stands for both.
    const m = this.o.merge ? this.o.merge(older, newer) : newer;
    return { ...m, merged: older.merged + newer.merged };
  }

  private get looseCount(): number {
    return this.loose.length - this.looseHead;
  }

  /** Messages waiting (ready, behind a busy key, or delayed for a retry). */
  get size(): number {
    return this.ready.size + this.looseCount + this.behind.size + this.delayed.size;
  }

  /** Entries that could be taken now. */
  get readyCount(): number {
    return this.ready.size + this.looseCount;
  }

  get max(): number {
    return this.o.max;
  }

  /** Arrival time of the oldest ready entry (batch age), or undefined when none is ready. */
  get oldestReadyAt(): number | undefined {
    const keyed = this.ready.size > 0 ? this.ready.values().next().value!.firstAt : undefined;
    const loose = this.looseCount > 0 ? this.loose[this.looseHead]!.firstAt : undefined;
    if (keyed === undefined) return loose;
    return loose === undefined ? keyed : Math.min(keyed, loose);
  }

  /** True when a message with this key is waiting (ready, behind a busy key, or delayed). */
  has(key: string): boolean {
    return this.ready.has(key) || this.behind.has(key) || this.delayed.has(key);
  }

  /** `always`: track it even past the bound (a marker the runtime itself must not lose). */
  add(message: Message<T>, key: string | undefined, now = Date.now(), o: { always?: boolean } = {}): AddResult {
    if (key !== undefined) {
      const e = this.ready.get(key) ?? this.behind.get(key) ?? this.delayed.get(key);
      if (e) {
        e.message = this.merge(e.message, message);
        return 'merged';
      }
    }
    if (this.size >= this.o.max && !o.always) return 'over';
    const seq = ++this.seq;
    if (key === undefined) {
      // A keyless message gets a key of its own: a number, which no string key can equal.
      this.loose.push({ key: seq, keyed: false, message, firstAt: now, attempts: 0, notBefore: 0, seq });
      return 'added';
    }
    const entry: PendingEntry<T> = { key, keyed: true, message, firstAt: now, attempts: 0, notBefore: 0, seq };
    (this.busy.has(key) ? this.behind : this.ready).set(key, entry);
    return 'added';
  }

  /** Up to `max` ready entries, oldest first; their keys are busy until finish() or retry(). */
  take(max: number): PendingEntry<T>[] {
    const out: PendingEntry<T>[] = [];
    const keyed = this.ready.values();
    let next = keyed.next();
    while (out.length < max) {
      const loose = this.looseHead < this.loose.length ? this.loose[this.looseHead] : undefined;
      const k = next.done ? undefined : next.value;
      if (loose && (!k || loose.seq < k.seq)) {
        out.push(loose);
        this.looseHead++;
      } else if (k) {
        this.ready.delete(k.key);
        this.busy.add(k.key);
        out.push(k);
        next = keyed.next();
      } else {
        break;
      }
    }
    if (this.looseHead > 1024 && this.looseHead * 2 > this.loose.length) {
      this.loose = this.loose.slice(this.looseHead);
      this.looseHead = 0;
    }
    return out;
  }

  /** The entry's key is free again; a message that waited behind it becomes ready. */
  finish(entry: PendingEntry<T>): void {
    // A keyless message's key is its own: nothing waits behind it.
    if (!entry.keyed) return;
    this.busy.delete(entry.key);
    const next = this.behind.get(entry.key);
    if (next) {
      this.behind.delete(entry.key);
      this.ready.set(entry.key, next);
    }
  }

  /**
   * The entry failed and will run again at `notBefore`. A newer message for
   * its key merges into it; the failed attempts stay counted for the key.
   */
  retry(entry: PendingEntry<T>, notBefore: number): void {
    this.busy.delete(entry.key);
    const newer = this.behind.get(entry.key);
    if (newer) this.behind.delete(entry.key);
    const message = newer ? this.merge(entry.message, newer.message) : entry.message;
    this.delayed.set(entry.key, { ...entry, message, notBefore });
  }

  /** Moves delayed entries whose time has come to ready; returns the next retry time still ahead, if any. */
  promoteDue(now = Date.now()): number | undefined {
    let next: number | undefined;
    for (const [k, e] of this.delayed) {
      if (e.notBefore <= now) {
        this.delayed.delete(k);
        const due = { ...e, notBefore: 0 };
        if (e.keyed) this.ready.set(k, due);
        else this.loose.push(due);
      } else if (next === undefined || e.notBefore < next) {
        next = e.notBefore;
      }
    }
    return next;
  }

  /** Takes the entries waiting for a retry out (shutdown does not wait for their time). */
  takeDelayed(): PendingEntry<T>[] {
    const all = [...this.delayed.values()];
    this.delayed.clear();
    return all;
  }

  /** Takes every waiting entry out (shutdown), in arrival order: ready, behind and delayed. */
  takeAll(): PendingEntry<T>[] {
    const all = [...this.ready.values(), ...this.loose.slice(this.looseHead), ...this.behind.values(), ...this.delayed.values()].sort((a, b) => a.seq - b.seq);
    this.ready.clear();
    this.loose = [];
    this.looseHead = 0;
    this.behind.clear();
    this.delayed.clear();
    return all;
  }
}
