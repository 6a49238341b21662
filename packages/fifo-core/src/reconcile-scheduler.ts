// Level-triggered safety net: reconcile at start, then every interval, and
// whenever catch-up asks. Passes never overlap: the next periodic pass is
// scheduled only after the previous one finished, and a request while one
// runs joins it, unless the caller needs a pass that *started* after a given
// moment (a doorbell lost after a pass began is not covered by it). A pass
// that reports `more` (it stopped before everything was in line) after fixing
// something is followed by another at once; one that fixed nothing, or
// failed, by another soon, with backoff (200 ms doubling to 5 s): a provider
// or database still down is not asked every moment, and the first pass that
// makes progress again resets that wait. The interval applies otherwise.
import { Backoff } from './backoff.ts';
import type { ReconcileReport } from './contract.ts';

export class ReconcileScheduler {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<ReconcileReport | undefined> | undefined;
  private currentStartedAt = 0;
  private stopped = false;
  private readonly soon = new Backoff({ initialMs: 200, maxMs: 5000 });
  private waiters: ((pass: { report: ReconcileReport | undefined; startedAt: number } | undefined) => void)[] = [];
  runs = 0;

  constructor(
    private readonly pass: () => Promise<ReconcileReport>,
    private readonly intervalMs: number,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** First run now, then every intervalMs (0 = only this first run). */
  start(): Promise<ReconcileReport | undefined> {
    return this.runNow();
  }

  /** Run a pass now, or join the one that is running. Errors are reported and resolve undefined. */
  runNow(): Promise<ReconcileReport | undefined> {
    if (this.current) return this.current;
    if (this.stopped) return Promise.resolve(undefined);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.runs++;
    const startedAt = (this.currentStartedAt = Date.now());
    this.current = this.pass()
      .catch((e: unknown) => {
        this.onError(e);
        return undefined;
      })
      .then((report) => {
        this.current = undefined;
        this.schedule(report);
        for (const w of this.waiters.splice(0)) w({ report, startedAt });
        return report;
      });
    return this.current;
  }

  /**
   * A pass that started at or after `at`: joins the running one if it
   * qualifies, else runs one after it. `onStart` is told when that pass
   * started, as soon as it has; resolves its report (undefined when it failed).
   */
  async runStartedAfter(at: number, onStart?: (startedAt: number) => void): Promise<{ report: ReconcileReport | undefined; startedAt: number }> {
    while (this.current && this.currentStartedAt < at) await this.current;
    const pass = this.runNow();
    const startedAt = this.currentStartedAt;
    onStart?.(startedAt);
    return { report: await pass, startedAt };
  }

  /** The next pass to end (the one running, or the next one started): undefined once stopped. */
  nextPass(): Promise<{ report: ReconcileReport | undefined; startedAt: number } | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private schedule(report: ReconcileReport | undefined): void {
    if (this.stopped) return;
    const progress = report !== undefined && report.fixed > 0;
    if (report?.more !== true && report !== undefined) {
      this.soon.reset();
      if (this.intervalMs > 0) this.arm(this.intervalMs);
      return;
    }
    if (progress) this.soon.reset();
    this.arm(progress ? 0 : Math.min(this.soon.next(), this.intervalMs > 0 ? this.intervalMs : Infinity));
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => void this.runNow(), ms);
    this.timer.unref();
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  /** No further runs; resolves when a running pass has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.current;
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}
