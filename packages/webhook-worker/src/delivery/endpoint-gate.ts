// What one endpoint is asked for at once: at most `concurrency` requests in
// flight, and at most `burst` started in any burst/ratePerSec seconds
// (ratePerSec 0: no rate), with fifo-core's Slots and TokenBucket. Callers
// pass in arrival order. A receiver that is slow or down costs waiting
// callers here, never the database: doorbells keep being read and merged by
// the runtime meanwhile.
import { Slots, TokenBucket } from '@dbfifo/fifo-core';

export interface GateOptions {
  concurrency: number;
  ratePerSec: number;
  burst: number;
}

export class EndpointGate {
  private readonly slots: Slots;
  private readonly rate: TokenBucket;
  private running = 0;

  constructor(o: GateOptions) {
    this.slots = new Slots(o.concurrency);
    this.rate = new TokenBucket(o.ratePerSec, o.burst);
  }

  /** Requests in flight now. */
  get inFlight(): number {
    return this.running;
  }

  /** Runs `fn` once a slot and a rate turn are free; rejects if `signal` aborts while waiting. */
  async run<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const release = await this.slots.take(signal);
    this.running++;
    try {
      await this.rate.take(signal);
      return await fn();
    } finally {
      this.running--;
      release();
    }
  }
}
