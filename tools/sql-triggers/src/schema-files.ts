// Every sql/<pipe>/schema.sql of the repository, the files whose generated
// blocks `npm run sql:triggers` keeps up to date.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@dbfifo/test-utils';

export function schemaFiles(): string[] {
  const sql = join(repoRoot, 'sql');
  return readdirSync(sql, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(sql, d.name, 'schema.sql'))
    .filter((f) => existsSync(f))
    .sort();
}
