// `npx nx g @dbfifo/fifo-core:worker <name> [--table t] [--pipe p]`: a worker
// package in the one worker shape (packages/<name>) and the schema of its table
// with the doorbell triggers (sql/<pipe>/schema.sql). The files come from
// ./files (EJS templates, as every Nx generator writes them). After Nx has
// written them, the triggers are generated into the schema by the same code as
// `npm run sql:triggers` (it needs the local stack, which it starts), and
// `npm install` records the new workspace package in package-lock.json.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { generateFiles, updateJson, type GeneratorCallback, type Tree } from '@nx/devkit';
import { workerNames, type WorkerGeneratorOptions } from './names.ts';

function tableTakenBy(tree: Tree, table: string): string | undefined {
  if (!tree.exists('sql')) return undefined;
  const create = new RegExp(`CREATE TABLE (IF NOT EXISTS )?\`?${table}\`?[\\s(]`, 'i');
  for (const dir of tree.children('sql')) {
    const file = `sql/${dir}/schema.sql`;
    if (tree.exists(file) && create.test(tree.read(file, 'utf-8') ?? '')) return file;
  }
  return undefined;
}

/** Runs a command in the workspace, its output on the terminal; false when it failed. */
function run(root: string, command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { cwd: root, stdio: 'inherit' });
    return true;
  } catch {
    return false;
  }
}

export default async function workerGenerator(tree: Tree, options: WorkerGeneratorOptions): Promise<GeneratorCallback> {
  const n = workerNames(options);
  const taken = [`packages/${n.name}`, `sql/${n.pipe}`].filter((p) => tree.exists(p));
  if (taken.length > 0) throw new Error(`nx g @dbfifo/fifo-core:worker: ${taken.join(' and ')} exist already: pick another name (or --pipe)`);
  const other = tableTakenBy(tree, n.table);
  if (other) throw new Error(`nx g @dbfifo/fifo-core:worker: ${other} creates a table ${n.table} already: pick another --table`);

  generateFiles(tree, join(import.meta.dirname, 'files'), '.', { ...n, tmpl: '' });
  updateJson(tree, 'tsconfig.json', (json: { references?: { path: string }[] }) => {
    const references = json.references ?? [];
    if (!references.some((r) => r.path === `packages/${n.name}`)) references.push({ path: `packages/${n.name}` });
    return { ...json, references };
  });

  const schema = join(tree.root, 'sql', n.pipe, 'schema.sql');
  return () => {
    // The trigger block's body: `dbfifo trigger add` for the table as the schema file creates it.
    if (!run(tree.root, 'npm', ['run', '--silent', 'sql:triggers', '--', schema])) {
      console.error(`The doorbell triggers of sql/${n.pipe}/schema.sql are not generated yet: run \`npm run sql:triggers\` once \`tools/stack up\` works.`);
    }
    if (!options.skipInstall && !run(tree.root, 'npm', ['install', '--no-audit', '--no-fund'])) {
      console.error('`npm install` failed: run it before `npm ci` elsewhere (package-lock.json must list the new package).');
    }
    console.log(`\n${n.name}: npx nx run ${n.name}:test, then npm start serves it (pipe ${n.pipe}, table ${n.table}). packages/${n.name}/README.md says what to edit.`);
  };
}
