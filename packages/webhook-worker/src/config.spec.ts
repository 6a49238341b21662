import { ConfigError } from '@dbfifo/fifo-core';
import { describe, expect, it } from 'vitest';
import { loadWebhookConfig } from './config.ts';

const base = { DATABASE_URL: 'mysql://u:p@127.0.0.1:3306/app' };
const problems = (env: Record<string, string>) => {
  try {
    loadWebhookConfig({ ...base, ...env });
    return [];
  } catch (e) {
    return e instanceof ConfigError ? e.problems : [String(e)];
  }
};

describe('loadWebhookConfig', () => {
  it('gives each table its URL: WEBHOOK_URLS first, WEBHOOK_URL for the others', () => {
    const c = loadWebhookConfig({ ...base, WEBHOOK_TABLES: 'orders,customers', WEBHOOK_URL: 'https://hooks.example/all', WEBHOOK_URLS: 'orders=http://127.0.0.1:9000/orders' });
    expect(c.webhook.endpoints).toEqual({ orders: 'http://127.0.0.1:9000/orders', customers: 'https://hooks.example/all' });
    expect(c.runtime.pipe).toMatch(/\/webhook$/);
  });

  it('lists every problem at once, naming the variable', () => {
    const p = problems({ WEBHOOK_TABLES: 'orders,bad name', WEBHOOK_URLS: 'users=http://x/,nonsense', WEBHOOK_RETRY_BASE_MS: '5000', WEBHOOK_RETRY_MAX_MS: '1000' });
    expect(p).toEqual(expect.arrayContaining([
      expect.stringMatching(/^WEBHOOK_TABLES: "bad name"/),
      expect.stringMatching(/^WEBHOOK_URLS names users/),
      expect.stringMatching(/^WEBHOOK_URLS: "nonsense" is not table=url/),
      expect.stringMatching(/^WEBHOOK_URL \(or orders=… in WEBHOOK_URLS\) is required/),
      expect.stringMatching(/^WEBHOOK_RETRY_MAX_MS=1000 is below WEBHOOK_RETRY_BASE_MS=5000/),
    ]));
    expect(problems({ WEBHOOK_URL: 'ftp://x/' })).toEqual([expect.stringMatching(/WEBHOOK_URL: "ftp:\/\/x\/" is not an http/)]);
  });
});
