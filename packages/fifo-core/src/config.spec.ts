import { describe, expect, it } from 'vitest';
import { collectConfig, ConfigError, env, loadConfig, loadDatabaseConfig, loadRuntimeConfig } from './config.ts';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadRuntimeConfig', () => {
  it('fills the documented defaults from the worker name', () => {
    const c = loadRuntimeConfig('sms', {});
    expect(c).toMatchObject({
      pipe: '/run/dbfifo/sms',
      pipeDir: '/run/dbfifo',
      pipeMode: 0o620,
      mode: 'direct',
      role: 'both',
      concurrency: 8,
      maxLineBytes: 4096,
      deadLetterFile: '/run/dbfifo/sms.dead',
      reconcileIntervalMs: 60_000,
      shutdownTimeoutMs: 10_000,
      redisUrl: 'redis://127.0.0.1:6379',
      logLevel: 'info',
      metricsPort: undefined,
      pipeGroup: undefined,
    });
    expect(c.queue).toMatchObject({ attempts: 5, backoffMs: 1000, rateMax: 0, rateDurationMs: 1000, name: 'sms', prefix: 'dbfifo' });
  });

  it('reads every DBFIFO_* variable', () => {
    const c = loadRuntimeConfig('sms', {
      DBFIFO_PIPE_DIR: '/tmp/p',
      DBFIFO_PIPE_MODE: '0660',
      DBFIFO_PIPE_GROUP: 'mysql',
      DBFIFO_MODE: 'queue',
      DBFIFO_ROLE: 'consumer',
      DBFIFO_CONCURRENCY: '3',
      DBFIFO_QUEUE_RATE_MAX: '10',
      DBFIFO_METRICS_PORT: '9464',
    });
    expect(c).toMatchObject({ pipe: '/tmp/p/sms', pipeMode: 0o660, pipeGroup: 'mysql', mode: 'queue', role: 'consumer', concurrency: 3, metricsPort: 9464 });
    expect(c.queue.rateMax).toBe(10);
  });

  it('names the queue after the pipe without the characters BullMQ forbids', () => {
    expect(loadRuntimeConfig('x', { DBFIFO_PIPE: '/tmp/a:b c' }).queue.name).toBe('a_b_c');
  });

  it('lists every bad variable in one error', () => {
    const problems = problemsOf(() =>
      loadRuntimeConfig('sms', { DBFIFO_MODE: 'fast', DBFIFO_CONCURRENCY: '0', DBFIFO_PIPE_MODE: '999', DBFIFO_METRICS_PORT: 'http' }),
    );
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/DBFIFO_MODE="fast".*one of direct\|queue/);
    expect(problems.join('\n')).toMatch(/DBFIFO_CONCURRENCY="0"/);
    expect(problems.join('\n')).toMatch(/DBFIFO_PIPE_MODE="999"/);
    expect(problems.join('\n')).toMatch(/DBFIFO_METRICS_PORT="http"/);
  });

  it('combines problems of the runtime, database and worker parts', () => {
    const e = {} as NodeJS.ProcessEnv;
    e.DBFIFO_ROLE = 'boss';
    const problems = problemsOf(() =>
      collectConfig({
        runtime: () => loadRuntimeConfig('sms', e),
        db: () => loadDatabaseConfig(e),
        own: () => loadConfig({ sid: env.string('TWILIO_ACCOUNT_SID'), rate: env.number('SMS_RATE', { min: 0 }) }, e),
      }),
    );
    expect(problems).toEqual([
      expect.stringContaining('DBFIFO_ROLE'),
      expect.stringContaining('DATABASE_URL is required'),
      expect.stringContaining('TWILIO_ACCOUNT_SID is required'),
      expect.stringContaining('SMS_RATE is required'),
    ]);
  });
});

describe('env fields', () => {
  it('parses booleans, lists and treats empty as unset', () => {
    const c = loadConfig({ a: env.bool('A', { default: false }), b: env.list('B'), c: env.int('C', { default: 7 }) }, { A: 'yes', B: 'x, y,,z', C: '' });
    expect(c).toEqual({ a: true, b: ['x', 'y', 'z'], c: 7 });
  });

  it('accepts mysql:// database URLs only', () => {
    expect(loadDatabaseConfig({ DATABASE_URL: 'mysql://u:p@127.0.0.1:3390/d' }).url).toContain('3390');
    expect(problemsOf(() => loadDatabaseConfig({ DATABASE_URL: 'postgres://u:secret@h/d' }))[0]).not.toContain('secret');
  });
});
