// Shared by the benchmarks: statistics and writing one section of
// docs/bench/fifo-core.md (each script replaces only its own section).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const doc = path.join(repoRoot, 'docs/bench/fifo-core.md');

export const quietLogger = () => pino({ level: 'warn' });

export function median(xs: number[]): number {
  return quantile(xs, 0.5);
}

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo]! + (s[hi]! - s[lo]!) * (i - lo);
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `${os.cpus().length} × ${cpu}, Node ${process.version}, ${os.platform()} ${os.release()}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at the end`;
}

/** Replace (or append) the section between <!-- bench:NAME --> markers. */
export function writeSection(name: string, markdown: string): void {
  fs.mkdirSync(path.dirname(doc), { recursive: true });
  const header = '# fifo-core benchmarks\n\nProduced by `npm run bench:<name> -w @dbfifo/fifo-core`; each script rewrites only its own section.\nFigures are from a shared 2-core machine with other work running: compare ratios, not absolutes.\n';
  let text = fs.existsSync(doc) ? fs.readFileSync(doc, 'utf8') : header;
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n\n_Run ${new Date().toISOString()} on ${machine()}._\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  text = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(doc, text);
  process.stdout.write(`${markdown.trim()}\n\n(written to ${path.relative(process.cwd(), doc)})\n`);
}
