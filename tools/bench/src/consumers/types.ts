// One way of learning that a row was committed: dbfifo (direct, queue),
// polling an outbox table, or reading the binlog. `onSeen(id)` is called at
// handler entry for every event id the consumer learns about.
export interface Consumer {
  name: string;
  start(onSeen: (id: number) => void): Promise<void>;
  stop(): Promise<void>;
  /** Anything the consumer wants in the report (e.g. a skip reason). */
  note?: string;
}
