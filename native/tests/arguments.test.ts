// Wrong argument counts fail when the statement starts, as MariaDB's own
// udf.test expects: ER_CANT_INITIALIZE_UDF with the right signature.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scalar, sqlWorld, type SqlWorld } from './helpers.ts';

const wrongCalls: [string, string][] = [
  ["select fifo_write('p')", 'usage: fifo_write(path STRING, message STRING [, timeout_ms INT])'],
  ["select fifo_write('p', 'm', 1, 2)", 'usage: fifo_write(path STRING, message STRING [, timeout_ms INT])'],
  ['select fifo_read()', 'usage: fifo_read(path STRING [, timeout_ms INT])'],
  ["select fifo_read('p', 1, 2)", 'usage: fifo_read(path STRING [, timeout_ms INT])'],
  ['select fifo_create()', 'usage: fifo_create(path STRING)'],
  ["select fifo_remove('a', 'b')", 'usage: fifo_remove(path STRING)'],
  ["select fifo_error('x')", 'usage: fifo_error()'],
  ['select fifo_info(1)', 'usage: fifo_info()'],
];

describe('argument checks', () => {
  let world: SqlWorld;

  beforeAll(async () => {
    world = await sqlWorld('arguments');
  });

  afterAll(async () => {
    await world?.close();
  });

  for (const [query, usage] of wrongCalls) {
    it(`${query} fails at init naming the signature`, async () => {
      const error = await world.sql.query(query).then(
        () => null,
        (e: { code?: string; sqlMessage?: string }) => e,
      );
      expect(error?.code).toBe('ER_CANT_INITIALIZE_UDF');
      expect(error?.sqlMessage).toContain(usage);
    });
  }

  it('fails at init in a multi-row statement too, before any row', async () => {
    await world.sql.query('create table t (id int)');
    await world.sql.query('insert into t values (1), (2)');
    await expect(world.sql.query("select fifo_write('p') from t")).rejects.toMatchObject({ code: 'ER_CANT_INITIALIZE_UDF' });
  });

  it('other argument types are converted, not crashed on', async () => {
    // A number as path is the bare name "123"; a number as timeout text is parsed.
    expect(await scalar(world.sql, "select fifo_write(123, 456, '5')")).toBe('false');
    expect(await scalar(world.sql, 'select fifo_error()')).toMatch(/^fifo_write: .*\/123 does not exist \(ENOENT\)$/);
    expect(await scalar(world.sql, "select fifo_write('p', x'00ff00')")).toBe('false');
  });
});
