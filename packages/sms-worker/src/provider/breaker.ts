// A circuit breaker in front of the provider. After `failures` outage signs in
// a row (5xx, timeouts, network errors: classify's `outage`), no request goes
// out for a cool-down; then one harmless request (a one-message list) probes.
// An answer closes the breaker; another failure opens it again for twice as
// long, up to cooldownMaxMs. While it is open the sender gives rows back
// (pending when nothing went out, 'unknown' when a request's fate is open)
// instead of keeping them in 'sending' through an outage of unknown length.
import { setTimeout as sleep } from 'node:timers/promises';
import { Backoff, type Logger } from '@dbfifo/fifo-core';

export interface BreakerOptions {
  /** Outage signs in a row that open the breaker. */
  failures: number;
  cooldownMs: number;
  cooldownMaxMs: number;
  /** One harmless request: resolves when the provider answered. */
  probe(): Promise<unknown>;
  /** Whether a probe's error is an outage sign (otherwise the provider answered). */
  isOutage(err: unknown): boolean;
  log: Logger;
  now?: () => number;
}

export class Breaker {
  #inARow = 0;
  /** 0 while closed; else when the next probe may go. */
  #openUntil = 0;
  #openedAt = 0;
  /** The cool-down: cooldownMs when it opens, doubled by each failed probe, up to cooldownMaxMs. */
  readonly #cooldown: Backoff;
  #probing: Promise<boolean> | undefined;
  readonly #now: () => number;

  constructor(private readonly o: BreakerOptions) {
    this.#cooldown = new Backoff({ initialMs: o.cooldownMs, maxMs: o.cooldownMaxMs });
    this.#now = o.now ?? Date.now;
  }

  get isOpen(): boolean {
    return this.#openUntil !== 0;
  }

  /** May a request go out now? While open, no; once the cool-down is over, this starts the probe (in the background). */
  allow(): boolean {
    if (this.#openUntil === 0) return true;
    if (this.#now() >= this.#openUntil) void this.probe();
    return false;
  }

  /** The provider answered (a success, or a refusal: it is up). */
  answered(): void {
    this.#inARow = 0;
    if (this.#openUntil !== 0) this.#close();
  }

  /** A request failed with an outage sign. Requests already in flight when it opened do not extend it. */
  failed(): void {
    if (this.#openUntil !== 0) return;
    if (++this.#inARow < this.o.failures) return;
    this.#openedAt = this.#now();
    this.#cooldown.reset();
    this.#openUntil = this.#openedAt + this.#cooldown.next();
    this.o.log.warn({ failures: this.#inARow, cooldownMs: this.o.cooldownMs }, 'sms provider failing: no requests until a probe gets an answer');
  }

  /**
   * True at once while closed. While open: waits for the cool-down to end,
   * probes, and says whether the provider answered (false also on abort).
   */
  async waitClosed(signal?: AbortSignal): Promise<boolean> {
    if (this.#openUntil === 0) return true;
    const wait = this.#openUntil - this.#now();
    if (wait > 0 && !this.#probing) {
      try {
        await sleep(wait, undefined, { signal });
      } catch {
        return false;
      }
    }
    return this.probe();
  }

  /** One probe at a time; true when the breaker is closed after it. */
  probe(): Promise<boolean> {
    if (this.#openUntil === 0) return Promise.resolve(true);
    this.#probing ??= this.o
      .probe()
      .then(
        () => true,
        (err: unknown) => !this.o.isOutage(err),
      )
      .then((up) => {
        if (up) this.answered();
        else this.#openUntil = this.#now() + this.#cooldown.next();
        return up;
      })
      .finally(() => (this.#probing = undefined));
    return this.#probing;
  }

  #close(): void {
    this.o.log.info({ downMs: this.#now() - this.#openedAt }, 'sms provider answers again: sending');
    this.#openUntil = 0;
  }
}
