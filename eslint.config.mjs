// One lint for the whole workspace (`tools/lint`, run by `npm test`): the
// project boundaries Nx knows from each package's `nx.tags`, plus
// typescript-eslint's recommended basics. Style is left to the reviewers.
import { createProjectGraphAsync } from '@nx/devkit';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// The boundary rule reads Nx's cached project graph and silently skips itself
// when there is none; computing it here (cheap when nothing moved) keeps a
// fresh clone, a new package or an editor from linting without boundaries.
await createProjectGraphAsync({ exitOnError: true });

// Who may import whom, by tag. Production code: workers build on fifo-core
// only, never on each other; fifo-core on no other project; tools on anything.
const production = [
  { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:core'] },
  { sourceTag: 'scope:worker', onlyDependOnLibsWithTags: ['scope:core'] },
  { sourceTag: 'scope:native', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['*'] },
  // Test helpers stand on their own (fifo-core's tests use them: no way back).
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing'] },
];
// Tests, specs and benchmarks may also use the test helpers (type:testing).
const testing = production.map((c) =>
  c.sourceTag === 'scope:tools' ? c : { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:testing'] },
);
const boundaries = (depConstraints) => ({
  '@nx/enforce-module-boundaries': ['error', { allow: [], enforceBuildableLibDependency: false, depConstraints }],
});

const testFiles = ['**/tests/**', '**/*.spec.ts', '**/bench/**', '**/vitest.config.ts'];

export default tseslint.config(
  { ignores: ['**/node_modules/', '.stack/', '.nx/', 'native/build/', '**/results/', 'site/'] },
  {
    files: ['**/*.ts', '**/*.mjs'],
    extends: [tseslint.configs.recommended],
    plugins: { '@nx': nx },
    rules: {
      ...boundaries(production),
      // `_`-prefixed names are deliberately unused (a callback's position, a destructured rest).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A `let` that a callback reads before its one assignment cannot be a const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-expressions': ['error', { allowTernary: true }],
    },
  },
  { files: testFiles, rules: boundaries(testing) },
);
