import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { webhookSpec } from './config.ts';
import { WEBHOOK_CODES } from './errors.ts';

// Every variable this worker reads has a row, with its default, in the README's
// table, and every code it refuses a line or fails a delivery with is explained there.
describe('README', () => {
  const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const row = (name: string) => readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
  it.each(Object.values(webhookSpec).map((f) => [f.name, f.defaultText] as const))('documents %s', (name, def) => {
    expect(row(name), `${name} row`).toBeDefined();
    if (def !== undefined) expect(row(name)).toContain(`\`${def}\``);
  });
  it.each(Object.keys(WEBHOOK_CODES))('explains code %s', (code) => {
    expect(row(code), `${code} row`).toBeDefined();
  });
});
