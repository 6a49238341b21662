import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { request, type Server } from 'node:http';
import { join } from 'node:path';
import { createStaticServer, listen } from './static-server.ts';
import { tempDir } from '@dbfifo/test-utils';

let root: string;
let server: Server;
let port: number;
beforeAll(async () => {
  root = tempDir('static-gen-srv-');
  await mkdir(join(root, 'site', 'news'), { recursive: true });
  await writeFile(join(root, 'site', 'index.html'), '<h1>home</h1>');
  await writeFile(join(root, 'site', 'news', 'a.html'), 'article');
  await writeFile(join(root, 'secret.txt'), 'outside');
  server = createStaticServer(join(root, 'site'));
  port = await listen(server, 0);
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

// raw paths (http.request does not normalise them, unlike fetch)
function get(path: string): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    }).on('error', reject).end();
  });
}

describe('preview server', () => {
  it('serves pages with their type, index.html for /', async () => {
    expect(await get('/')).toMatchObject({ status: 200, body: '<h1>home</h1>', type: 'text/html; charset=utf-8' });
    expect(await get('/news/a.html')).toMatchObject({ status: 200, body: 'article' });
    expect((await get('/news/missing.html')).status).toBe(404);
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/news/..%2f..%2fsecret.txt', '/%00'])('never serves outside its folder: %s', async (path) => {
    const r = await get(path);
    expect(r.body).not.toBe('outside');
    expect([400, 403, 404]).toContain(r.status);
  });
});
