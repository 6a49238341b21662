import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_REASONS } from './codes.ts';
import { databaseSpec, runtimeSpec, triggerCliSpec } from './config.ts';

// Like fastify's "every error code is documented": every variable the runtime
// reads has a row, with its default, in the README's configuration table.
describe('README', () => {
  const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  it.each([...Object.values(runtimeSpec), ...Object.values(databaseSpec), ...Object.values(triggerCliSpec)].map((f) => [f.name, f.defaultText] as const))('documents %s', (name, def) => {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    expect(row, `${name} row`).toBeDefined();
    if (def !== undefined) expect(row).toContain(`\`${def}\``);
  });

  it.each(Object.keys(DEAD_LETTER_REASONS))('documents the dead-letter reason %s', (reason) => {
    expect(readme.split('\n').some((l) => l.startsWith(`| \`${reason}\` |`)), `a "| \`${reason}\` |" row`).toBe(true);
  });
});
