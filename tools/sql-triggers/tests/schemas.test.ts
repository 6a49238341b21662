// One source of trigger SQL: the doorbell triggers in sql/*/schema.sql are
// exactly what `dbfifo trigger add` generates for those tables today.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findBlocks } from '../src/blocks.ts';
import { regenerate } from '../src/generate.ts';
import { schemaFiles } from '../src/schema-files.ts';

const files = schemaFiles().filter((f) => findBlocks(readFileSync(f, 'utf8')).length > 0);

describe('generated triggers of the schema files', () => {
  it('there are some', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  it.each(files)('%s is what the generator makes today (npm run sql:triggers regenerates it)', async (file) => {
    expect(await regenerate(file)).toBe(readFileSync(file, 'utf8'));
  });
});
