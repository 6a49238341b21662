// Level-triggered safety net: run reconcile at start and then every interval.
// The next run is scheduled only after the previous one finished, so two runs
// never overlap; runNow() while one is running joins it instead of starting another.
export interface ReconcileResult {
  fixed: number;
  report?: Record<string, unknown>;
}

export class ReconcileScheduler {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<ReconcileResult | undefined> | undefined;
  private stopped = false;
  runs = 0;

  constructor(
    private readonly pass: () => Promise<ReconcileResult>,
    private readonly intervalMs: number,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** First run now, then every intervalMs (0 = only this first run). */
  start(): Promise<ReconcileResult | undefined> {
    return this.runNow();
  }

  /** Run a pass now, or join the one that is running. Errors are reported, not thrown. */
  runNow(): Promise<ReconcileResult | undefined> {
    if (this.current) return this.current;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.runs++;
    this.current = this.pass()
      .catch((e) => {
        this.onError(e);
        return undefined;
      })
      .finally(() => {
        this.current = undefined;
        this.schedule();
      });
    return this.current;
  }

  private schedule(): void {
    if (this.stopped || this.intervalMs <= 0) return;
    this.timer = setTimeout(() => void this.runNow(), this.intervalMs);
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
  }
}
