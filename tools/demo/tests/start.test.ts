// `npm start` as a person runs it in a terminal, on ports and a network
// namespace of its own (a demo running beside it is not disturbed). Ctrl-C is
// what a terminal sends: SIGINT to the whole foreground process group (npm,
// and whatever it runs in that group).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, repoRoot, stackEnv, tempDir, waitFor } from '@dbfifo/test-utils';

const WORKERS = ['sms-worker', 'static-gen', 'firewall-worker'];
const TAG = `npm-start-test-${process.pid}`;
const BURST = 1500; // bans, each logged as one JSON line of ~250 bytes: far more than one pipe read

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface NpmStart {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<Exit>;
}

let db: mysql.Connection;
let tmp: string;
let netns: string;
const runs: NpmStart[] = [];

async function npmStart(extraEnv: Record<string, string>): Promise<NpmStart> {
  const env = {
    ...process.env,
    TWILIO_LOCAL_PORT: String(await freePort()),
    STATIC_PREVIEW_PORT: String(await freePort()),
    FIREWALL_DEMO_NETNS: netns,
    STATIC_OUT_DIR: join(tmp, 'site'),
    ...extraEnv,
  };
  // detached: a process group of its own, as a terminal gives a foreground job.
  const child = spawn('npm', ['start'], { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const run = { child, stdout: () => out, stderr: () => err, exited };
  runs.push(run);
  await waitFor(() => count(out, '"msg":"reading pipe"') >= WORKERS.length && out.includes('listening on'), {
    message: 'every worker reading its pipe',
    timeoutMs: 90_000,
  }).catch((e: Error) => {
    throw new Error(`${e.message}\n--- stdout\n${out.slice(-3000)}\n--- stderr\n${err.slice(-3000)}`);
  });
  return run;
}

/** What a terminal does on Ctrl-C. */
const ctrlC = (run: NpmStart) => process.kill(-run.child.pid!, 'SIGINT');

const count = (text: string, needle: string) => text.split(needle).length - 1;

/** A worker's stdout lines, without the prefix. */
const linesOf = (stdout: string, worker: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith(`${worker}: `))
    .map((l) => l.slice(worker.length + 2));

async function smsRow(id: number): Promise<string> {
  const [rows] = await db.query<mysql.RowDataPacket[]>('SELECT status FROM dbfifo.sms_outbox WHERE id = ?', [id]);
  return String(rows[0]?.status);
}

async function insertSms(): Promise<number> {
  const [r] = await db.query<mysql.ResultSetHeader>('INSERT INTO dbfifo.sms_outbox (mobile, body) VALUES (?, ?)', ['13113668891', TAG]);
  return r.insertId;
}

beforeAll(async () => {
  tmp = tempDir('dbfifo-npm-start-');
  netns = `dbfifo-st-${process.pid}`;
  db = await mysql.createConnection({ uri: stackEnv().adminUrl });
});

afterAll(async () => {
  for (const run of runs) {
    if (run.child.exitCode === null && run.child.signalCode === null) process.kill(-run.child.pid!, 'SIGKILL');
  }
  if (db) {
    await db.query('DELETE FROM dbfifo.sms_outbox WHERE body = ?', [TAG]).catch(() => undefined);
    await db.query('DELETE FROM dbfifo.blacklist WHERE reason = ?', [TAG]).catch(() => undefined);
    await db.end();
  }
  spawnSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
});

describe('npm start, then one Ctrl-C', () => {
  let run: NpmStart;
  let smsId: number;
  let exit: Exit;

  beforeAll(async () => {
    // Every request to the local Twilio API takes 3 s: a text is in flight when Ctrl-C comes.
    run = await npmStart({ TWILIO_LOCAL_CONFIG: JSON.stringify({ latencyMs: 3000 }) });
    await db.query(
      `INSERT IGNORE INTO dbfifo.blacklist (address, reason)
         SELECT CONCAT('198.18.', seq DIV 250, '.', seq MOD 250 + 1), ? FROM dbfifo.seq_0_to_${BURST - 1}`,
      [TAG],
    );
    await waitFor(() => count(run.stdout(), '"msg":"banned"') >= BURST * 0.9, { message: 'the bans logged', timeoutMs: 60_000 });
    smsId = await insertSms();
    await waitFor(async () => (await smsRow(smsId)) === 'sending', { message: 'the text claimed and on its way' });
    await new Promise((r) => setTimeout(r, 500));
    ctrlC(run);
    exit = await run.exited;
  }, 180_000);

  it('each worker gets exactly one stop signal, and none is cut short', () => {
    for (const worker of WORKERS) {
      const lines = linesOf(run.stdout(), worker).join('\n');
      expect(count(lines, '"msg":"signal: stopping gracefully"'), worker).toBe(1);
      expect(count(lines, 'second signal'), worker).toBe(0);
      expect(count(lines, '"msg":"stopped"'), worker).toBe(1);
    }
  });

  it('a text in flight at Ctrl-C is still delivered: the local Twilio API stops after the workers', async () => {
    expect(await smsRow(smsId)).toBe('sent');
  });

  it('every output line of a worker is one whole JSON log line under its name', () => {
    const lines = WORKERS.flatMap((worker) => linesOf(run.stdout(), worker));
    expect(lines.length).toBeGreaterThan(BURST);
    const broken = lines.filter((line) => {
      try {
        JSON.parse(line);
        return false;
      } catch {
        return true;
      }
    });
    expect(broken).toEqual([]);
  });

  it('a clean stop looks clean: exit 0, no "Terminated", no failed-task report, the demo namespace removed', () => {
    expect(exit).toEqual({ code: 0, signal: null });
    const all = run.stdout() + run.stderr();
    expect(all).not.toMatch(/Terminated|did not complete|npm error/);
    expect(run.stderr()).toContain('every worker stopped cleanly');
    const namespaces = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
    expect(namespaces).not.toContain(netns);
  });
});

describe('npm start, then Ctrl-C twice', () => {
  it('the second Ctrl-C exits at once, though a worker is still finishing', async () => {
    // A text that would take 20 s keeps sms-worker in its graceful stop.
    const run = await npmStart({ TWILIO_LOCAL_CONFIG: JSON.stringify({ latencyMs: 20_000 }) });
    const id = await insertSms();
    await waitFor(async () => (await smsRow(id)) === 'sending', { message: 'the text claimed and on its way' });
    ctrlC(run);
    await waitFor(() => linesOf(run.stdout(), 'sms-worker').some((l) => l.includes('signal: stopping gracefully')), {
      message: 'sms-worker stopping',
    });
    await new Promise((r) => setTimeout(r, 1000));
    const second = performance.now();
    ctrlC(run);
    const exit = await run.exited;
    expect(performance.now() - second).toBeLessThan(5000);
    expect(linesOf(run.stdout(), 'sms-worker').some((l) => l.includes('second signal: exiting now'))).toBe(true);
    // Interrupted, as the shell reports a Ctrl-C: by SIGINT (130), not an npm failure report.
    expect(exit.signal ?? exit.code).toSatisfy((s: unknown) => s === 'SIGINT' || s === 130);
    expect(run.stderr()).not.toContain('npm error');
  }, 180_000);
});
