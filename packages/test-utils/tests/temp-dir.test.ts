// tempDir's promise: the folders a test makes are gone after it, FIFOs and all,
// whether vitest ran it or a plain process that simply exited.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '../src/index.ts';

const run = promisify(execFile);
const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

describe('tempDir', () => {
  it('removes the folders of a vitest file, FIFOs and all, once the file has run', async () => {
    const report = join(tempDir('test-utils-report-'), 'paths.json');
    await run(process.execPath, [join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--config', join(fixtures, 'vitest.fixture.config.ts')], {
      cwd: fixtures,
      env: { ...process.env, TEMP_DIR_REPORT: report },
    });
    const made = JSON.parse(readFileSync(report, 'utf8')) as string[];
    expect(made).toHaveLength(2);
    for (const dir of made) expect(existsSync(dir), dir).toBe(false);
  });

  it('removes the folders of a plain process when it exits', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(fixtures, 'exits.script.ts')]);
    expect(stdout).toMatch(/test-utils-exit-/);
    expect(existsSync(stdout)).toBe(false);
  });
});

describe('every vitest config in the workspace', () => {
  const configs = ['packages', 'tools']
    .flatMap((group) => readdirSync(join(repoRoot, group)).map((name) => join(repoRoot, group, name, 'vitest.config.ts')))
    .concat(join(repoRoot, 'native/vitest.config.ts'))
    .filter((file) => existsSync(file));

  it.each(configs.map((file) => [resolve(file).slice(repoRoot.length + 1), file]))('%s removes its temporary folders and reaches test-utils by its package name', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    expect(text).toContain("setupFiles: ['@dbfifo/test-utils/vitest-setup']");
    expect(text).not.toMatch(/test-utils\/src/);
  });
});
