import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { firewallSpec } from './config.ts';
import { FIREWALL_CODES } from './errors.ts';

const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');

// Every variable this worker reads has a row, with its default, in the README's table.
describe('README', () => {
  it.each(Object.values(firewallSpec).map((f) => [f.name, f.defaultText] as const))('documents %s', (name, def) => {
    // FIREWALL_BACKEND also heads the table comparing the backends: the configuration row is the one with the default.
    const rows = readme.split('\n').filter((l) => l.startsWith(`| \`${name}\` |`));
    expect(rows.length, `${name} row`).toBeGreaterThan(0);
    // An empty list is written "(empty)" in the table.
    if (def !== undefined) expect(rows.some((r) => r.includes(def === '' ? '(empty)' : `\`${def}\``)), rows.join('\n')).toBe(true);
  });

  // Every refusal code a row's note or a warning can carry is explained in the codes table.
  it.each(Object.keys(FIREWALL_CODES))('documents the code %s', (code) => {
    expect(readme.split('\n').some((l) => l.startsWith(`| \`${code}\` |`))).toBe(true);
  });
});
