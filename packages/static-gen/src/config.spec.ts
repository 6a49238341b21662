import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ConfigError } from '@dbfifo/fifo-core';
import { loadStaticConfig, previewSpec, staticSpec } from './config.ts';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('static-gen configuration', () => {
  it('documents every variable in the README', () => {
    for (const field of [...Object.values(staticSpec), ...Object.values(previewSpec)]) expect(README).toContain(`| \`${field.name}\``);
  });

  it('has working defaults given a database', () => {
    const c = loadStaticConfig({ DATABASE_URL: 'mysql://u:p@127.0.0.1:3306/db' });
    expect(c.runtime.pipe).toBe('/run/dbfifo/static');
    expect(c.runtime.concurrency).toBe(64);
    expect(c.site.outDir).toMatch(/\/public$/);
    expect(c.static.coalesceMs).toBe(50);
    expect(c.site.bodyMode).toBe('html');
  });

  it('lists every problem at once', () => {
    try {
      loadStaticConfig({ STATIC_INDEX_SIZE: '0', STATIC_BODY_MODE: 'markdown', STATIC_FSYNC: 'maybe' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).problems.join('\n');
      for (const name of ['DATABASE_URL', 'STATIC_INDEX_SIZE', 'STATIC_BODY_MODE', 'STATIC_FSYNC']) expect(text).toContain(name);
    }
  });
});
