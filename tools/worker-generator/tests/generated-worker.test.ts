// A freshly generated worker passes its own test (issue 12). The generator
// runs as a user runs it, `npx nx g @dbfifo/fifo-core:worker …`, but in a
// scratch copy of the workspace: its configuration, sql/, every project's
// manifest (so Nx sees the same projects and tags) and tools/sql-triggers,
// with the repository's node_modules linked in. The repository never holds the
// generated files, even when a step fails. Then, in that copy, what `npm test`
// and `npm start` do with the new worker: its types, the lint, its trigger
// block as `npm run sql:triggers` makes it, its tests through Nx, and Nx
// seeing its serve target.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { regenerate } from '@dbfifo/sql-triggers';
import { repoRoot, tempDir } from '@dbfifo/test-utils';

const run = promisify(execFile);
const NAME = 'sample-worker';
const PIPE = 'sample';
const TABLE = 'sample_orders';

/** Folders of the workspace's projects, from the root package.json's workspaces (one `*` level at most). */
function workspaceDirs(): string[] {
  const { workspaces } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
  return workspaces.flatMap((w) => {
    if (!w.endsWith('/*')) return [w];
    const parent = w.slice(0, -2);
    return readdirSync(join(repoRoot, parent), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `${parent}/${d.name}`);
  }).filter((dir) => existsSync(join(repoRoot, dir, 'package.json')));
}

function scratchWorkspace(): string {
  const dir = tempDir('dbfifo-generated-worker-');
  for (const f of ['package.json', 'package-lock.json', 'nx.json', 'tsconfig.json', 'tsconfig.base.json', 'eslint.config.mjs']) cpSync(join(repoRoot, f), join(dir, f));
  cpSync(join(repoRoot, 'sql'), join(dir, 'sql'), { recursive: true });
  for (const project of workspaceDirs()) {
    mkdirSync(join(dir, project), { recursive: true });
    cpSync(join(repoRoot, project, 'package.json'), join(dir, project, 'package.json'));
  }
  cpSync(join(repoRoot, 'tools/sql-triggers'), join(dir, 'tools/sql-triggers'), { recursive: true, filter: (src) => !src.includes('node_modules') });
  // Removing the folder removes this link, never what it points at.
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** The environment of a command run in the copy: without what an outer nx or npm run set (they name the repository). */
function scratchEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NX_') && !k.toLowerCase().startsWith('npm_')));
  return { ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CACHE: 'true' };
}

let workspace: string;
let generated: { stdout: string; stderr: string };
const inCopy = (cmd: string, args: string[], cwd = workspace) =>
  run(cmd, args, { cwd, env: scratchEnv(), maxBuffer: 32 << 20, timeout: 180_000 });

beforeAll(async () => {
  workspace = scratchWorkspace();
  generated = await inCopy('npx', ['nx', 'g', '@dbfifo/fifo-core:worker', NAME, '--table', TABLE, '--skip-install', '--no-interactive']);
});

describe(`npx nx g @dbfifo/fifo-core:worker ${NAME} --table ${TABLE}`, () => {
  it('writes the worker in the one worker shape, its schema with generated triggers, and a project reference', () => {
    const pkg = join(workspace, 'packages', NAME);
    for (const f of ['package.json', 'README.md', 'vitest.config.ts', 'src/index.ts', 'src/main.ts', 'src/config.ts', 'src/line.ts', 'src/rows.ts', 'src/errors.ts', 'src/worker.ts', 'tests/worker.test.ts', `bench/${NAME}.bench.ts`]) {
      expect(existsSync(join(pkg, f)), f).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
    expect(manifest.nx).toEqual({ name: NAME, tags: ['scope:worker'] });
    expect(readFileSync(join(pkg, 'vitest.config.ts'), 'utf8')).toContain("'@dbfifo/test-utils/global-setup'");
    const schema = readFileSync(join(workspace, 'sql', PIPE, 'schema.sql'), 'utf8');
    expect(schema).toContain(`-- dbfifo trigger add ${TABLE} --pipe ${PIPE}\n`);
    expect(schema).toContain(`CREATE TRIGGER \`dbfifo_${TABLE}_delete\` AFTER DELETE ON \`${TABLE}\``);
    const references = JSON.parse(readFileSync(join(workspace, 'tsconfig.json'), 'utf8')).references as { path: string }[];
    expect(references).toContainEqual({ path: `packages/${NAME}` });
    expect(existsSync(join(repoRoot, 'packages', NAME)), 'nothing was written into the repository').toBe(false);
  });

  it('its trigger block is what `npm run sql:triggers` makes (the sql-triggers test holds in the copy too)', async () => {
    const file = join(workspace, 'sql', PIPE, 'schema.sql');
    expect(await regenerate(file)).toBe(readFileSync(file, 'utf8'));
  });

  it('passes the type check and the lint, module boundaries included', async () => {
    await inCopy('npx', ['tsc', '--noEmit', '-p', `packages/${NAME}`]);
    const lint = await inCopy('npx', ['eslint', `packages/${NAME}`]);
    expect(lint.stdout + lint.stderr).toBe('');
  });

  it('passes its own tests through Nx, as npm test runs them', async () => {
    const { stdout } = await inCopy('npx', ['nx', 'run', `${NAME}:test`, '--outputStyle=stream']);
    const summary = stdout.replace(/\x1b\[[0-9;]*m/g, '').match(/Tests\s+(\d+) passed(?: \((\d+)\))?/);
    expect(summary, stdout).not.toBeNull();
    expect(stdout).not.toMatch(/\bfailed\b/);
  });

  it('is a serve target of `nx run-many -t serve` (what npm start runs)', async () => {
    const { stdout } = await inCopy('npx', ['nx', 'show', 'projects', '--with-target', 'serve']);
    expect(stdout.split('\n')).toContain(NAME);
  });

  it('refuses to overwrite a worker or schema that exists, and says why', async () => {
    const again = await inCopy('npx', ['nx', 'g', '@dbfifo/fifo-core:worker', NAME, '--skip-install', '--no-interactive']).catch((e: { stdout: string; stderr: string }) => e);
    expect(again.stdout + again.stderr).toMatch(new RegExp(`packages/${NAME} and sql/${PIPE} exist already`));
    expect(generated.stdout + generated.stderr).toContain(`sql/${PIPE}/schema.sql: triggers regenerated`);
  });
});
