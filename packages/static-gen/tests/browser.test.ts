// End to end: rows in MariaDB → pages on disk → what a reader sees in a real
// browser (Debian's chromium, headless), served over localhost HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { waitFor, tempDir } from '@dbfifo/test-utils';
import { createStaticServer, listen } from '../src/pages/static-server.ts';
import { PUBLISH, startTestSite, type TestSite } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`skipping the browser test: ${CHROMIUM} is missing (apt-get install -y chromium)`);

let t: TestSite;
let server: Server;
let profile: string;
let browser: BrowserContext;

describe.skipIf(!haveChromium)('reading the site in chromium', () => {
  beforeAll(async () => {
    t = await startTestSite();
    server = createStaticServer(t.outDir);
    await listen(server, 0);
    profile = tempDir('static-gen-chromium-');
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await t?.close();
  });

  it('follows the index to an article and sees its text, with a hostile title shown as text', async () => {
    await t.sql.query(PUBLISH, ['hello-reader', 'Hello, reader', 'What this site is about.', '<p>The first paragraph of a <em>real</em> article.</p><p>And a second one.</p>', 'Ada Lovelace']);
    await t.sql.query(PUBLISH, ['hostile', '<script>window.__pwned = true</script>Sneaky', 'Nothing to see', '<p>Plain.</p>', '<img src=x onerror="window.__pwned=true">']);
    await waitFor(async () => (await readFile(join(t.outDir, 'index.html'), 'utf8').catch(() => '')).includes('hostile.html'), { message: 'index lists both' });

    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/index.html`);
    expect(await page.title()).toBe('dbfifo news');
    const cards = page.locator('.card h2 a');
    expect(await cards.allTextContents()).toEqual(expect.arrayContaining(['Hello, reader', '<script>window.__pwned = true</script>Sneaky']));

    await Promise.all([page.waitForURL('**/news/hello-reader.html'), page.getByRole('link', { name: 'Hello, reader' }).click()]);
    expect(await page.title()).toBe('Hello, reader · dbfifo news');
    expect(await page.locator('h1').textContent()).toBe('Hello, reader');
    expect(await page.locator('article .body').innerText()).toContain('The first paragraph of a real article.');
    expect(await page.locator('article em').textContent()).toBe('real');
    expect(await page.getByText('By Ada Lovelace').isVisible()).toBe(true);

    await page.getByRole('link', { name: '← All news' }).click();
    await page.getByRole('link', { name: /Sneaky/ }).click();
    await page.waitForURL('**/news/hostile.html');
    expect(await page.locator('h1').textContent()).toBe('<script>window.__pwned = true</script>Sneaky');
    expect(await page.getByText('By <img src=x onerror="window.__pwned=true">').isVisible()).toBe(true);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.locator('script').count()).toBe(0);

    // dark mode follows the reader's preference
    const light = await page.evaluate('getComputedStyle(document.body).backgroundColor');
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await page.evaluate('getComputedStyle(document.body).backgroundColor');
    expect(dark).not.toBe(light);
    expect(errors).toEqual([]);
    await page.close();
  });
});
