import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@dbfifo/test-utils';
import { previewSpec, staticSpec } from './config.ts';

// Every variable this worker reads has a row, with its default, in the README's table.
describe('README', () => {
  const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  // The templates default is this package's folder: the README names it from the repository root.
  const shown = (def: string) => (path.isAbsolute(def) ? path.relative(repoRoot, def) : def);
  it.each(Object.values({ ...staticSpec, ...previewSpec }).map((f) => [f.name, f.defaultText] as const))('documents %s', (name, def) => {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    expect(row, `${name} row`).toBeDefined();
    if (def !== undefined) expect(row).toContain(`\`${shown(def)}\``);
  });
});
