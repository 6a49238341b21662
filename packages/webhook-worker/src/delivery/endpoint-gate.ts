// What one endpoint is asked for at once: at most `concurrency` requests in
// flight, and at most `burst` started in any burst/ratePerSec seconds
// (ratePerSec 0: no rate). Callers pass in arrival order. A receiver that is
// slow or down costs waiting callers here, never the database: doorbells keep
// being read and merged by the runtime meanwhile.
import { setTimeout as sleep } from 'node:timers/promises';

export interface GateOptions {
  concurrency: number;
  ratePerSec: number;
  burst: number;
}

export class EndpointGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Start times of the last `burst` requests, oldest first. */
  private readonly starts: number[] = [];
  /** Rate turns are taken one caller at a time, in order. */
  private turn: Promise<void> = Promise.resolve();
  private readonly windowMs: number;

  constructor(private readonly o: GateOptions) {
    this.windowMs = o.ratePerSec > 0 ? (1000 * o.burst) / o.ratePerSec : 0;
  }

  /** Requests in flight now. */
  get inFlight(): number {
    return this.running;
  }

  /** Runs `fn` once a slot and a rate turn are free; rejects if `signal` aborts while waiting. */
  async run<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    await this.slot(signal);
    try {
      await this.rateTurn(signal);
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private slot(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.running < this.o.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const go = () => {
        signal.removeEventListener('abort', onAbort);
        this.running++;
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal.reason);
      };
      this.waiting.push(go);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private rateTurn(signal: AbortSignal): Promise<void> {
    if (this.windowMs === 0) return Promise.resolve();
    const mine = this.turn.then(async () => {
      for (;;) {
        const oldest = this.starts.length < this.o.burst ? -Infinity : this.starts[0]!;
        const wait = oldest + this.windowMs - performance.now();
        if (wait <= 0) break;
        await sleep(Math.ceil(wait), undefined, { signal });
      }
      this.starts.push(performance.now());
      if (this.starts.length > this.o.burst) this.starts.shift();
    });
    this.turn = mine.catch(() => {});
    return mine;
  }
}
