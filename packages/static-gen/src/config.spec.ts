import { describe, expect, it } from 'vitest';
import { ConfigError } from '@dbfifo/fifo-core';
import { loadStaticConfig } from './config.ts';
import { staticGen } from './worker.ts';

describe('static-gen configuration', () => {
  it('has working defaults given a database', () => {
    const c = loadStaticConfig({ DATABASE_URL: 'mysql://u:p@127.0.0.1:3306/db' });
    expect(c.runtime.pipe).toBe('/run/dbfifo/static');
    // the worker's own runtime defaults are on its definition, applied by startWorker where no variable is set
    expect(c.runtime.unset).toContain('concurrency');
    expect(c.runtime.unset).toContain('batchLingerMs');
    expect(staticGen.defaults).toEqual({ concurrency: 2, batchLingerMs: 50 });
    expect(c.site.outDir).toMatch(/\/public$/);
    expect(c.site.bodyMode).toBe('html');
  });

  it('the worker has one name; its pipe keeps the short one', () => {
    expect(staticGen.name).toBe('static-gen');
    expect(loadStaticConfig({ DATABASE_URL: 'mysql://u:p@127.0.0.1:3306/db', DBFIFO_PIPE_DIR: '/srv/pipes' }).runtime.pipe).toBe('/srv/pipes/static');
  });

  it('refuses the retired coalescing variables, naming what replaced them', () => {
    expect(() => loadStaticConfig({ DATABASE_URL: 'mysql://u:p@127.0.0.1:3306/db', STATIC_COALESCE_MS: '50', STATIC_COALESCE_MAX_MS: '500' }))
      .toThrow(/STATIC_COALESCE_MS is no longer read: .*DBFIFO_BATCH_LINGER_MS[\s\S]*STATIC_COALESCE_MAX_MS is no longer read/);
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
