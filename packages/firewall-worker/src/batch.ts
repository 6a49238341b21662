// Group commit for ipset: while one `ipset restore` runs, every add/del that
// arrives waits for the next one, which carries all of them. A lone ban
// costs one command as before; a burst of doorbells costs a few commands
// instead of one process per address. If a batch fails, its lines are
// retried one by one so each caller gets its own error.
import type { Runner } from './exec.ts';

interface Pending {
  line: string;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class RestoreBatcher {
  private queue: Pending[] = [];
  private running = false;

  constructor(
    private readonly run: Runner,
    private readonly maxLines = 5000,
  ) {}

  /** `ipset restore` line(s), e.g. `add dbfifo-ban-v4 192.0.2.1 timeout 60`; several lines of one caller stay together. */
  submit(line: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ line, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxLines);
        try {
          await this.run(['ipset', '-exist', 'restore'], { input: `${batch.map((p) => p.line).join('\n')}\n` });
          for (const p of batch) p.resolve();
        } catch (err) {
          if (batch.length === 1) batch[0]!.reject(err);
          else await this.oneByOne(batch);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async oneByOne(batch: Pending[]): Promise<void> {
    for (const p of batch) {
      try {
        await this.run(['ipset', '-exist', 'restore'], { input: `${p.line}\n` });
        p.resolve();
      } catch (err) {
        p.reject(err);
      }
    }
  }
}
