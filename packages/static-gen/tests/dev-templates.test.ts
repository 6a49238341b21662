// STATIC_DEV: editing a template re-renders the pages; a broken edit keeps the old templates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor, tempDir } from '@dbfifo/test-utils';
import { DEFAULT_TEMPLATES_DIR } from '../src/config.ts';
import { PUBLISH, startTestSite, type TestSite } from './helpers.ts';

let t: TestSite;
let templates: string;
beforeAll(async () => {
  templates = tempDir('static-gen-tpl-');
  await cp(DEFAULT_TEMPLATES_DIR, templates, { recursive: true });
  t = await startTestSite({ STATIC_DEV: 'true', STATIC_TEMPLATES_DIR: templates });
});
afterAll(async () => {
  await t?.close();
});

describe('dev mode', () => {
  it('a template change re-renders every page', async () => {
    await t.sql.query(PUBLISH, ['tpl', 'Template test', '', '<p>x</p>', '']);
    await waitFor(() => t.page('tpl'));
    const footer = join(templates, 'partials', 'footer.hbs');
    await writeFile(footer, '<footer class="site"><div class="wrap">Freshly edited footer</div></footer>\n');
    await waitFor(async () => (await t.page('tpl'))?.includes('Freshly edited footer'), { message: 'page shows the new footer' });
    await waitFor(async () => (await readFile(join(t.outDir, 'index.html'), 'utf8')).includes('Freshly edited footer'), { message: 'index shows the new footer' });

    await writeFile(footer, '{{#if}}broken');
    await waitFor(() => t.logs.some((l) => String(l.msg).includes('do not compile')), { message: 'compile error logged' });
    expect(await t.page('tpl')).toContain('Freshly edited footer');
  });
});
