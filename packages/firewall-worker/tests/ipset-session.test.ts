// The long-lived ipset session the doorbell path uses: every line applied,
// a failing line reported with ipset's own message (and the session still
// usable), a session that dies or hangs replaced, and nothing left running
// after close(). In a private network namespace, with the real ipset.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandError } from '../src/errors.ts';
import { netnsPrefix } from '../src/kernel/exec.ts';
import { IpsetSession } from '../src/kernel/ipset-session.ts';
import { netnsUnavailable, TestNet } from './netns.ts';

const run = promisify(execFile);
const skip = await netnsUnavailable();
if (skip) console.warn(`[firewall-worker] skipping ipset session tests: ${skip}`);

describe.skipIf(skip)('IpsetSession', () => {
  const net = new TestNet('session');
  const SET = 'dbfifo-session-v4';
  const sessions: IpsetSession[] = [];
  const open = (timeoutMs = 5000, onCommand?: (ok: boolean) => void) => {
    const s = new IpsetSession({ prefix: netnsPrefix(net.srv), timeoutMs, onCommand: (_argv, ok) => onCommand?.(ok) });
    sessions.push(s);
    return s;
  };
  const members = async () => (await net.inSrv('ipset', 'save', SET)).split('\n').filter((l) => l.startsWith('add ')).map((l) => l.split(' ')[2]!);
  /** pids of this namespace's `ipset -exist -` processes. */
  const sessionPids = async () => {
    const { stdout } = await run('pgrep', ['-f', '^ipset -exist -$']).catch(() => ({ stdout: '' }));
    const pids: number[] = [];
    for (const pid of stdout.split('\n').filter(Boolean).map(Number)) {
      const { stdout: ns } = await run('ip', ['netns', 'identify', String(pid)]).catch(() => ({ stdout: '' }));
      if (ns.trim() === net.srv) pids.push(pid);
    }
    return pids;
  };

  beforeAll(async () => {
    await net.create();
    await net.inSrv('ipset', 'create', SET, 'hash:ip', 'family', 'inet', 'timeout', '0', 'maxelem', '4');
  });
  afterAll(async () => {
    for (const s of sessions) s.close();
    await net.remove();
  });

  it('applies every line of a request, and -exist makes a repeated add or a missing del no error', async () => {
    const s = open();
    await s.run([`add ${SET} 192.0.2.1 timeout 0`, `add ${SET} 192.0.2.2 timeout 0`]);
    await s.run([`add ${SET} 192.0.2.1 timeout 0`, `del ${SET} 192.0.2.9`, `del ${SET} 192.0.2.2`]);
    expect((await members()).sort()).toEqual(['192.0.2.1']);
    s.close();
  });

  it('a failing line rejects the request with ipset\'s message; the other lines are applied and the session goes on', async () => {
    const outcomes: boolean[] = [];
    const s = open(5000, (ok) => outcomes.push(ok));
    // maxelem 4: the fifth address does not fit.
    const err = await s.run(['192.0.2.11', '192.0.2.12', '192.0.2.13', '192.0.2.14', '192.0.2.15'].map((a) => `add ${SET} ${a} timeout 0`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as CommandError).stderr).toMatch(/full/i);
    expect((err as CommandError).stderr).not.toMatch(/dbfifo-done/); // the probe's own answer is not an error
    expect(await members()).toHaveLength(4);
    await s.run([`del ${SET} 192.0.2.11`, `del ${SET} 192.0.2.12`, `del ${SET} 192.0.2.13`, `del ${SET} 192.0.2.14`, `del ${SET} 192.0.2.1`]);
    expect(await members()).toEqual([]);
    expect(outcomes).toEqual([false, true]);
    s.close();
  });

  it('a set that is missing is an error, not a hang', async () => {
    const s = open(5000);
    const err = await s.run(['add dbfifo-no-such-set 192.0.2.1 timeout 0']).catch((e: unknown) => e);
    expect((err as CommandError).stderr).toMatch(/does not exist/);
    s.close();
  });

  it('requests made at once run one after the other, each with its own answer', async () => {
    const s = open();
    const results = await Promise.allSettled([
      s.run([`add ${SET} 192.0.2.21 timeout 0`]),
      s.run(['add dbfifo-no-such-set 192.0.2.1 timeout 0']),
      s.run([`add ${SET} 192.0.2.22 timeout 0`]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await members()).sort()).toEqual(['192.0.2.21', '192.0.2.22']);
    await s.run([`del ${SET} 192.0.2.21`, `del ${SET} 192.0.2.22`]);
    s.close();
  });

  it('a session killed from outside fails at most the request under way; the next starts a new one', async () => {
    const s = open();
    await s.run([`add ${SET} 192.0.2.31 timeout 0`]);
    const [pid] = await sessionPids();
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    await s.run([`add ${SET} 192.0.2.32 timeout 0`]);
    expect((await members()).sort()).toEqual(['192.0.2.31', '192.0.2.32']);
    const after = await sessionPids();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(pid);
    await s.run([`del ${SET} 192.0.2.31`, `del ${SET} 192.0.2.32`]);
    s.close();
  });

  it('a session that stops answering is killed at the timeout, and the next request gets a fresh one', async () => {
    const s = open(300);
    await s.run([`add ${SET} 192.0.2.41 timeout 0`]);
    const [pid] = await sessionPids();
    process.kill(pid!, 'SIGSTOP');
    const err = await s.run([`add ${SET} 192.0.2.42 timeout 0`]).catch((e: unknown) => e);
    expect((err as CommandError).message).toMatch(/no answer within 300 ms/);
    await s.run([`add ${SET} 192.0.2.43 timeout 0`]);
    expect(await members()).toContain('192.0.2.43');
    await s.run([`del ${SET} 192.0.2.41`, `del ${SET} 192.0.2.42`, `del ${SET} 192.0.2.43`]);
    s.close();
  });

  it('close() ends the session: no ipset process is left', async () => {
    const s = open();
    await s.run([`add ${SET} 192.0.2.51 timeout 0`, `del ${SET} 192.0.2.51`]);
    expect(await sessionPids()).toHaveLength(1);
    s.close();
    const deadline = Date.now() + 2000;
    while ((await sessionPids()).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await sessionPids()).toEqual([]);
    await expect(s.run([`add ${SET} 192.0.2.52 timeout 0`])).rejects.toThrow(/closed/);
  });
});

describe.skipIf(skip)('IpsetSession and a namespace made again under the same name', () => {
  const net = new TestNet('renew');
  afterAll(() => net.remove());

  it('recycle() makes the next request enter the namespace as it is now', async () => {
    await net.create();
    const SET = 'dbfifo-renew-v4';
    await net.inSrv('ipset', 'create', SET, 'hash:ip', 'family', 'inet', 'timeout', '0');
    const s = new IpsetSession({ prefix: netnsPrefix(net.srv), timeoutMs: 5000 });
    try {
      await s.run([`add ${SET} 192.0.2.61 timeout 0`]);
      // The namespace is deleted and made again under its name (its set with it).
      await run('ip', ['netns', 'del', net.srv]);
      await run('ip', ['netns', 'add', net.srv]);
      await net.inSrv('ipset', 'create', SET, 'hash:ip', 'family', 'inet', 'timeout', '0');
      // The running session still lives in the old namespace: the new set does not get this.
      await s.run([`add ${SET} 192.0.2.62 timeout 0`]);
      expect(await net.inSrv('ipset', 'save', SET)).not.toContain('192.0.2.62');
      s.recycle();
      await s.run([`add ${SET} 192.0.2.63 timeout 0`]);
      expect(await net.inSrv('ipset', 'save', SET)).toContain('192.0.2.63');
    } finally {
      s.close();
    }
  });
});
