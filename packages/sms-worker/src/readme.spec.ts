import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { smsSpec, twilioSpec } from './config.ts';

// Every variable this worker reads has a row, with its default, in the README's table.
describe('README', () => {
  const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  it.each(Object.values({ ...twilioSpec, ...smsSpec }).map((f) => [f.name, f.defaultText] as const))('documents %s', (name, def) => {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    expect(row, `${name} row`).toBeDefined();
    if (def !== undefined) expect(row).toContain(`\`${def}\``);
  });
});
