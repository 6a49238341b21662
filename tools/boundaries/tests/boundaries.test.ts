// The workspace lint, asked about one import line at a time in a file that
// does not exist (ESLint lints the text as if it lived at that path, so the
// path decides which project and which tags apply). The forbidden imports
// must be refused by @nx/enforce-module-boundaries; the allowed ones must
// pass, so a rule that refuses everything fails here too.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@dbfifo/test-utils';

const eslint = new ESLint({ cwd: repoRoot });

async function boundaryErrors(importer: string, imported: string): Promise<string[]> {
  const code = `import * as probe from '${imported}';\nexport const used = probe;\n`;
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}/${importer}` });
  expect(result?.fatalErrorCount, JSON.stringify(result?.messages)).toBe(0);
  return (result?.messages ?? []).filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('the module-boundary lint refuses', () => {
  it.each([
    ['a worker importing another worker', 'packages/static-gen/src/probe.ts', '@dbfifo/sms-worker', /tagged with "scope:worker" can only depend on libs tagged with "scope:core"/],
    // Every worker already depends on fifo-core, so Nx reports the cycle first.
    ['fifo-core importing a worker', 'packages/fifo-core/src/probe.ts', '@dbfifo/firewall-worker', /Circular dependency between "fifo-core" and "firewall-worker"/],
    ["a worker's runtime code importing test-utils", 'packages/sms-worker/src/probe.ts', '@dbfifo/test-utils', /can only depend on libs tagged with "scope:core"$/],
    ['fifo-core importing a tool', 'packages/fifo-core/src/probe.ts', '@dbfifo/twilio-local', /tagged with "scope:core" can only depend on libs tagged with "scope:core"/],
    ["a worker's test importing another worker", 'packages/firewall-worker/tests/probe.ts', '@dbfifo/static-gen/testing', /can only depend on libs tagged with "scope:core", "type:testing"/],
    ['test-utils importing a worker', 'packages/test-utils/src/probe.ts', '@dbfifo/sms-worker', /Circular dependency between "test-utils" and "sms-worker"/],
    ['a relative path into another project', 'packages/static-gen/src/probe.ts', '../../sms-worker/src/index.ts', /cannot be imported by a relative or absolute path/],
  ])('%s', async (_what, importer, imported, message) => {
    const errors = await boundaryErrors(importer, imported);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });
});

describe('the module-boundary lint allows', () => {
  it.each([
    ['a worker importing fifo-core', 'packages/static-gen/src/probe.ts', '@dbfifo/fifo-core'],
    ["a worker's test importing the Twilio double", 'packages/sms-worker/tests/probe.ts', '@dbfifo/twilio-local'],
    ["a worker's spec importing test-utils", 'packages/firewall-worker/src/probe.spec.ts', '@dbfifo/test-utils'],
    ['a tool importing a worker', 'tools/reliability/tests/probe.ts', '@dbfifo/sms-worker/testing'],
    ["native's tests importing test-utils", 'native/tests/probe.ts', '@dbfifo/test-utils'],
  ])('%s', async (_what, importer, imported) => {
    expect(await boundaryErrors(importer, imported)).toEqual([]);
  });
});
