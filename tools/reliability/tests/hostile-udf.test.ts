// Generated hostile paths and arguments against every UDF, as the ordinary
// SQL user. native/tests covers each sandbox rule by hand; this sweeps
// random combinations of the same dangerous pieces (.., symlinks out, NUL,
// newlines, absolute paths, long names) and checks the world afterwards:
// nothing outside the pipe directory changed or received a byte, nothing in
// it but FIFOs was created or removed, and the server still answers.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import mysql from 'mysql2/promise';
import { createPipe, removePipe, stackEnv, uniquePipePath, tempDir } from '@dbfifo/test-utils';
import { sizes } from '../src/config.ts';
import { report } from '../src/report.ts';

const stack = stackEnv();
const canary = tempDir('rel-canary-');
const tag = `rel-${process.pid}`;
const hash = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of fs.readdirSync(dir)) {
    const st = fs.lstatSync(path.join(dir, name));
    out.set(name, st.isFIFO() ? 'fifo' : st.isSymbolicLink() ? `link:${fs.readlinkSync(path.join(dir, name))}` : st.isFile() ? `file:${st.size}` : 'other');
  }
  return out;
}

describe('hostile paths and arguments to every UDF', () => {
  let conn: mysql.Connection;
  let canaryFd: number;
  const canaryLines: Buffer[] = [];
  const links = [`${tag}-esc`, `${tag}-fifo-link`, `${tag}-file-link`];
  let passwd: string;

  beforeAll(async () => {
    conn = await mysql.createConnection({ uri: stack.databaseUrl });
    fs.writeFileSync(path.join(canary, 'file'), 'keep');
    fs.chmodSync(canary, 0o777);
    await createPipe(path.join(canary, 'canary.fifo'));
    canaryFd = fs.openSync(path.join(canary, 'canary.fifo'), fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    fs.symlinkSync(canary, path.join(stack.pipeDir, links[0]!));
    fs.symlinkSync(path.join(canary, 'canary.fifo'), path.join(stack.pipeDir, links[1]!));
    fs.symlinkSync(path.join(canary, 'file'), path.join(stack.pipeDir, links[2]!));
    passwd = hash('/etc/passwd');
  });
  afterAll(async () => {
    await conn?.end();
    for (const l of links) fs.rmSync(path.join(stack.pipeDir, l), { force: true });
    fs.closeSync(canaryFd);
  });

  const piece = fc.oneof(
    fc.constantFrom('..', '.', '', ...links, 'canary.fifo', 'file', 'etc', 'passwd', 'ibdata1', 'mysql', '\0', '\n', 'x\0y', '%s%n', 'é', ' ', '-rf', '*'),
    fc.constantFrom(stack.pipeDir, canary, '/etc/passwd', '/dev/zero', '/proc/self/environ', path.join(stack.stateDir, 'mariadb/data/ibdata1')),
    fc.string({ maxLength: 12 }),
    fc.constant('a'.repeat(300)),
  );
  const hostilePath = fc
    .tuple(fc.constantFrom('', '/', `${stack.pipeDir}/`), fc.array(piece, { minLength: 1, maxLength: 5 }))
    .map(([prefix, parts]) => prefix + parts.join('/'));

  it('answers false/NULL outside the directory and changes nothing outside it', async () => {
    const before = snapshot(canary);
    const pipeDirBefore = snapshot(stack.pipeDir);
    const tally = { paths: 0, true: 0, false: 0, null: 0, created: 0, errors: [] as string[] };
    const touched = new Set<string>(); // names our paths could have made (the directory is shared with other suites)
    await fc.assert(
      fc.asyncProperty(hostilePath, async (p) => {
        tally.paths++;
        touched.add(path.basename(p));
        for (const sql of ['SELECT fifo_write(?, ?) AS r', 'SELECT fifo_remove(?) AS r', 'SELECT fifo_create(?) AS r', 'SELECT fifo_read(?, 5) AS r']) {
          const args = sql.startsWith('SELECT fifo_write') ? [p, 'canary'] : [p];
          try {
            const [[row]] = (await conn.query(sql, args)) as unknown as [[{ r: Buffer | string | null }]];
            const r = row.r === null ? 'null' : String(row.r);
            if (r === 'true') tally.true++;
            else if (r === 'false') tally.false++;
            else if (r === 'null') tally.null++;
            else tally.errors.push(`${sql} ${JSON.stringify(p)} → ${JSON.stringify(r)}`);
          } catch (e) {
            tally.errors.push(`${sql} ${JSON.stringify(p)} threw ${(e as Error).message}`);
          }
        }
      }),
      { numRuns: sizes.propertyRuns },
    );
    // fifo_create may legitimately make FIFOs with odd names *inside* the directory: count and remove them.
    for (const [name, kind] of snapshot(stack.pipeDir)) {
      if (pipeDirBefore.has(name) || !touched.has(name)) continue;
      expect(kind, `new entry ${JSON.stringify(name)} in the pipe directory`).toBe('fifo');
      tally.created++;
      fs.rmSync(path.join(stack.pipeDir, name));
    }
    const canaryBytes = (() => {
      const buf = Buffer.alloc(65536);
      try {
        return fs.readSync(canaryFd, buf);
      } catch {
        return 0; // EAGAIN: empty
      }
    })();
    const [[alive]] = (await conn.query('SELECT 1 AS ok')) as unknown as [[{ ok: number }]];
    report('hostile-udf-paths', { paths: tally.paths, calls: tally.paths * 4, true: tally.true, false: tally.false, null: tally.null, fifosCreatedInside: tally.created, canaryBytes, errors: tally.errors.length });
    expect(tally.errors).toEqual([]);
    expect(snapshot(canary)).toEqual(before);
    expect(fs.readFileSync(path.join(canary, 'file'), 'utf8')).toBe('keep');
    expect(canaryBytes).toBe(0);
    expect(hash('/etc/passwd')).toBe(passwd);
    expect(fs.existsSync(path.join(stack.stateDir, 'mariadb/data/ibdata1'))).toBe(true);
    for (const l of links) expect(fs.lstatSync(path.join(stack.pipeDir, l)).isSymbolicLink()).toBe(true);
    expect(alive.ok).toBe(1);
    void canaryLines;
  });

  it('fifo_write with hostile messages and timeouts: true or false, never a split or foreign line', async () => {
    const pipe = uniquePipePath('rel-udf-args');
    await createPipe(pipe);
    const fd = fs.openSync(pipe, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    const message = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
      fc.integer({ min: 4090, max: 4100 }).map((n) => 'm'.repeat(n)),
      fc.constantFrom(null, '', '\n', '\r\n', 'a\nb', 'x\r', '\0', 12345, -1.5),
    );
    const timeout = fc.oneof(fc.constantFrom(null, -1, 0, 1, 2 ** 31, -(2 ** 31), '2^63', 'abc', 1e12), fc.integer());
    const tally = { calls: 0, true: 0, false: 0, errors: [] as string[] };
    let bytesRead = 0;
    const drained: Buffer[] = [];
    const drain = () => {
      const buf = Buffer.alloc(1 << 16);
      for (;;) {
        let n = 0;
        try {
          n = fs.readSync(fd, buf);
        } catch {
          break;
        }
        if (n <= 0) break;
        bytesRead += n;
        drained.push(Buffer.from(buf.subarray(0, n)));
      }
    };
    try {
      await fc.assert(
        fc.asyncProperty(message, fc.option(timeout), async (m, t) => {
          tally.calls++;
          const sql = t === null ? 'SELECT fifo_write(?, ?) AS r' : 'SELECT fifo_write(?, ?, ?) AS r';
          try {
            const [[row]] = (await conn.query(sql, t === null ? [pipe, m] : [pipe, m, t])) as unknown as [[{ r: Buffer | string }]];
            const r = String(row.r);
            if (r === 'true') tally.true++;
            else if (r === 'false') tally.false++;
            else tally.errors.push(`→ ${r}`);
          } catch (e) {
            tally.errors.push(`${JSON.stringify(m)?.slice(0, 40)}, ${String(t)} threw ${(e as Error).message}`);
          }
          drain();
        }),
        { numRuns: sizes.propertyRuns },
      );
      drain();
      const lines = Buffer.concat(drained).toString('latin1').split('\n');
      const last = lines.pop();
      const longest = Math.max(0, ...lines.map((l) => Buffer.byteLength(l, 'latin1') + 1));
      report('hostile-udf-args', { calls: tally.calls, true: tally.true, false: tally.false, errors: tally.errors.length, linesRead: lines.length, bytesRead, longestLine: longest });
      expect(tally.errors).toEqual([]);
      expect(last, 'the pipe ends on a whole line').toBe('');
      expect(lines.length, "one line per 'true'").toBe(tally.true);
      expect(longest).toBeLessThanOrEqual(4096);
    } finally {
      fs.closeSync(fd);
      await removePipe(pipe);
    }
  });
});
