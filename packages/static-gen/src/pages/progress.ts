// Progress for long runs: a redrawn bar on a terminal, a plain line every few
// seconds otherwise (CI logs, journald), and a final summary either way.
export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  label?: string;
  /** Non-TTY: one line per this many ms. */
  lineEveryMs?: number;
  isTTY?: boolean;
}

export interface Progress {
  update(done: number, total: number): void;
  finish(summary: string): void;
}

function fmtRate(done: number, ms: number): string {
  return ms > 0 ? `${Math.round((done * 1000) / ms)}/s` : '-';
}

function fmtEta(done: number, total: number, ms: number): string {
  if (done === 0 || done >= total) return '';
  const s = Math.ceil(((total - done) * ms) / done / 1000);
  return ` eta ${s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`}`;
}

export function createProgress(o: ProgressOptions = {}): Progress {
  const stream = o.stream ?? process.stderr;
  const tty = o.isTTY ?? Boolean(stream.isTTY);
  const label = o.label ?? 'progress';
  const every = o.lineEveryMs ?? 5000;
  const start = Date.now();
  let lastLine = 0;
  let lastDraw = 0;
  let drawn = false;

  return {
    update(done, total) {
      const now = Date.now();
      const ms = now - start;
      if (tty) {
        if (now - lastDraw < 80 && done < total) return;
        lastDraw = now;
        const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 50));
        const frac = total > 0 ? done / total : 1;
        const fill = Math.round(frac * width);
        stream.write(`\r${label} [${'█'.repeat(fill)}${'░'.repeat(width - fill)}] ${(frac * 100).toFixed(1).padStart(5)}% ${done}/${total} ${fmtRate(done, ms)}${fmtEta(done, total, ms)}\x1b[K`);
        drawn = true;
      } else if (now - lastLine >= every || done === total) {
        lastLine = now;
        stream.write(`${label}: ${done}/${total} (${total > 0 ? ((done / total) * 100).toFixed(1) : '100.0'}%) ${fmtRate(done, ms)}${fmtEta(done, total, ms)}\n`);
      }
    },
    finish(summary) {
      if (tty && drawn) stream.write('\n');
      stream.write(`${label}: ${summary} in ${((Date.now() - start) / 1000).toFixed(1)} s\n`);
    },
  };
}
