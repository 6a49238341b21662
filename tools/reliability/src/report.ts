// Every case prints its counts on one line and records them in
// tools/reliability/results/<case>.json, the evidence docs/reliability.md cites.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { full } from './config.ts';

const resultsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../results');

export function report(caseName: string, counts: Record<string, unknown>): void {
  const entry = { case: caseName, suite: full ? 'full' : 'fast', at: new Date().toISOString(), ...counts };
  console.log(`[reliability] ${caseName}: ${JSON.stringify(counts)}`);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${caseName}.${full ? 'full' : 'fast'}.json`), JSON.stringify(entry, null, 2) + '\n');
}
