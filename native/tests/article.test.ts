// The article's session (section 5) against the real server: three rows
// pushed with one SELECT, then the trigger that records each push.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { LineCollector, articleDir, loadWithPipe, makePipe, pipeDir, scalar, sqlWorld, type Pipe, type SqlWorld } from './helpers.ts';

describe("the article's example", () => {
  let world: SqlWorld;
  let pipe: Pipe;
  let reader: LineCollector;

  beforeAll(async () => {
    world = await sqlWorld('article', [join(articleDir, 'demo.sql')]);
    pipe = await makePipe('article');
    reader = new LineCollector(pipe.path);
  });

  afterAll(async () => {
    reader?.close();
    await pipe?.remove();
    await world?.close();
  });

  it("select fifo_write(pipe, concat(mobile,'\\r\\n')) from demo: 3 × 'true', 3 lines in order", async () => {
    const [rows] = await world.sql.query({ sql: `select fifo_write(?,concat(mobile,'\\r\\n')) from demo`, rowsAsArray: true }, [pipe.name]);
    expect(rows).toEqual([['true'], ['true'], ['true']]);
    // The message already ends in \r\n: no second newline, the \r is the reader's to drop.
    expect(await reader.waitForLines(3)).toEqual(['13113668891\r', '13113668892\r', '13113668893\r']);
  });

  it('an absolute path inside the allowed directory works like the bare name', async () => {
    const before = reader.lines.length;
    expect(await scalar(world.sql, 'select fifo_write(?, ?)', [`${pipeDir()}/${pipe.name}`, 'absolute'])).toBe('true');
    await reader.waitForLines(before + 1);
    expect(reader.lines.at(-1)).toBe('absolute');
  });

  it("the demo_after_insert trigger writes the line and records 'true' in demo_sent", async () => {
    await loadWithPipe(world.db, 'demo_sent.sql', pipe.name);
    const before = reader.lines.length;
    await world.sql.query("insert into demo(name,mobile) values('jerry','13322993040')");
    await reader.waitForLines(before + 1);
    expect(reader.lines.at(-1)).toBe('13322993040');
    const [rows] = await world.sql.query({ sql: 'select mobile, status from demo_sent', rowsAsArray: true });
    expect(rows).toEqual([['13322993040', 'true']]);
  });

  it('a multi-row INSERT fires the trigger per row: every line arrives, every row says true', async () => {
    const before = reader.lines.length;
    await world.sql.query("insert into demo(name,mobile) values('a','100'),('b','200'),('c','300')");
    await reader.waitForLines(before + 3);
    expect(reader.lines.slice(before)).toEqual(['100', '200', '300']);
    const [rows] = await world.sql.query({ sql: "select mobile, status from demo_sent where mobile in ('100','200','300') order by id", rowsAsArray: true });
    expect(rows).toEqual([['100', 'true'], ['200', 'true'], ['300', 'true']]);
  });

  it('a call with only constant arguments still runs once per row', async () => {
    const before = reader.lines.length;
    const [rows] = await world.sql.query({ sql: 'select fifo_write(?, ?) from demo', rowsAsArray: true }, [pipe.name, 'same']);
    expect((rows as unknown[]).length).toBeGreaterThanOrEqual(3);
    await reader.waitForLines(before + (rows as unknown[]).length);
    expect(reader.lines.slice(before).every((l) => l === 'same')).toBe(true);
  });

  it("with no reader the trigger's INSERT still commits at once and demo_sent says 'false'", async () => {
    const lonely = await makePipe('article-lonely');
    try {
      const other = await sqlWorld('article_lonely', [join(articleDir, 'demo.sql')]);
      try {
        await loadWithPipe(other.db, 'demo_sent.sql', lonely.name);
        const started = performance.now();
        await other.sql.query("insert into demo(name,mobile) values('tom','13300000000')");
        const elapsed = performance.now() - started;
        // The article's plugin blocks here until a reader appears; ours must not.
        expect(elapsed).toBeLessThan(2000);
        const [rows] = await other.sql.query({ sql: 'select status from demo_sent', rowsAsArray: true });
        expect(rows).toEqual([['false']]);
        expect(await scalar(other.sql, "select count(*) from demo where name = 'tom'")).toBe(1);
      } finally {
        await other.close();
      }
    } finally {
      await lonely.remove();
    }
  });
});
