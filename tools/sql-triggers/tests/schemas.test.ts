// One source of trigger SQL: the doorbell triggers in sql/*/schema.sql are
// exactly what `dbfifo trigger add` generates for those tables today.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@dbfifo/test-utils';
import { findBlocks } from '../src/blocks.ts';
import { regenerate } from '../src/generate.ts';

const files = readdirSync(join(repoRoot, 'sql'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => join(repoRoot, 'sql', d.name, 'schema.sql'))
  .filter((f) => {
    try {
      return findBlocks(readFileSync(f, 'utf8')).length > 0;
    } catch {
      return false;
    }
  });

describe('generated triggers of the schema files', () => {
  it('there are some', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  it.each(files)('%s is what the generator makes today (npm run sql:triggers regenerates it)', async (file) => {
    expect(await regenerate(file)).toBe(readFileSync(file, 'utf8'));
  });
});
