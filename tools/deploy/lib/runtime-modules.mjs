// Prints, one per line, the node_modules folders (relative to the repository
// root) the deployed workers need at run time: the production dependencies of
// the given workspace packages, followed transitively the way Node resolves
// them (nested node_modules first, then each parent), plus tsx, which runs the
// TypeScript sources without a build step. No network, no npm: only what is
// already installed in the build tree. Missing optional dependencies are skipped.
//
//   node tools/deploy/lib/runtime-modules.mjs <repo-root> <package-dir>...
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

const [root, ...packageDirs] = process.argv.slice(2);
if (!root || packageDirs.length === 0) {
  console.error('usage: runtime-modules.mjs <repo-root> <package-dir>...');
  process.exit(2);
}
const rootReal = realpathSync(root);
const seen = new Set();

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** Node's lookup: <from>/node_modules/<name>, then each parent up to the root. */
function resolvePackage(name, fromDir) {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === rootReal || dirname(dir) === dir) return undefined;
    dir = dirname(dir);
  }
}

function visit(pkgDir, optional) {
  const manifest = readJson(join(pkgDir, 'package.json'));
  const deps = { ...manifest.dependencies, ...manifest.optionalDependencies };
  for (const name of Object.keys(deps)) {
    const isOptional = Boolean(manifest.optionalDependencies?.[name]);
    const found = resolvePackage(name, pkgDir);
    if (!found) {
      if (isOptional || optional) continue;
      throw new Error(`${name} (needed by ${manifest.name}) is not installed: run npm ci first`);
    }
    const real = realpathSync(found);
    // Workspace packages are symlinks into packages/: they are copied as sources.
    if (!real.startsWith(rootReal + sep + 'node_modules' + sep) && !real.includes(`${sep}node_modules${sep}`)) continue;
    if (seen.has(real)) continue;
    seen.add(real);
    visit(real, isOptional);
  }
}

for (const dir of packageDirs) visit(realpathSync(join(rootReal, dir)), false);
const tsx = resolvePackage('tsx', rootReal);
if (!tsx) throw new Error('tsx is not installed: run npm ci first');
seen.add(realpathSync(tsx));
visit(realpathSync(tsx), false);

for (const dir of [...seen].sort()) console.log(relative(rootReal, dir));
