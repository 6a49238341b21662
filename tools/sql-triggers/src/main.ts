// `npm run sql:triggers [-- --check] [files…]`: regenerate the doorbell
// triggers of sql/*/schema.sql (default: every schema file), or with --check
// only say which files are out of date (exit 1). Needs the local stack.
import { readFile, writeFile } from 'node:fs/promises';
import { ensureStack } from '@dbfifo/test-utils';
import { regenerate } from './generate.ts';
import { schemaFiles } from './schema-files.ts';

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const files = argv.filter((a) => a !== '--check');
  ensureStack();
  let stale = 0;
  for (const file of files.length ? files : schemaFiles()) {
    const before = await readFile(file, 'utf8');
    const after = await regenerate(file);
    if (after === before) continue;
    stale++;
    if (check) process.stderr.write(`${file}: its generated triggers are out of date (npm run sql:triggers)\n`);
    else {
      await writeFile(file, after);
      process.stderr.write(`${file}: triggers regenerated\n`);
    }
  }
  return check && stale > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
