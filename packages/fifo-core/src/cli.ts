// dbfifo — a small CLI for people.
// A bare <pipe> name (no '/') means that entry of DBFIFO_PIPE_DIR, as in fifo_write('sms', …).
//   dbfifo watch <pipe> [--log FILE]   print "[YYYY-MM-DD HH:MM:SS] [OK] <line>" (the article's sms.sh daemon)
//   dbfifo send <pipe> <line>          write one line like fifo_write (fails clearly when no reader)
//   dbfifo status [dir]                pipes in dir (default DBFIFO_PIPE_DIR): FIFO? reader?
//   dbfifo trigger add|list|remove|check …   doorbell triggers on any table (src/trigger/)
import fs from 'node:fs';
import path from 'node:path';
import { loadCliConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import { EXIT_CONFIG } from './errors.ts';
import { LineFramer } from './line-framer.ts';
import { openPipe } from './pipe-open.ts';
import { listPipes, sendLine, SendError, pipeState } from './pipe-status.ts';
import { triggerMain } from './trigger/command.ts';

const USAGE = `usage (a bare <pipe> name is an entry of DBFIFO_PIPE_DIR):
  dbfifo watch <pipe> [--log FILE]   print each line as "[YYYY-MM-DD HH:MM:SS] [OK] line" (append to FILE with --log)
  dbfifo send <pipe> <line>          write one line; fails when no process reads the pipe
  dbfifo status [dir]                list the pipes in dir (default: DBFIFO_PIPE_DIR) and whether they have a reader
  dbfifo trigger add|list|remove|check …   install doorbell triggers on a table (dbfifo trigger help)
`;

/** A bare name is an entry of the pipe directory (as for the UDFs); anything else is a path. */
export function pipePath(arg: string, pipeDir: string): string {
  return arg.includes('/') ? path.resolve(arg) : path.join(pipeDir, arg);
}

/** Local time as the article's `date '+%Y-%m-%d %H:%M:%S'`. */
export function stamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

async function watch(pipe: string, logFile: string | undefined, maxLineBytes: number, mode: number): Promise<void> {
  const out = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : process.stdout;
  const { socket, created } = await openPipe(pipe, { mode });
  process.stderr.write(`watching ${pipe}${created ? ' (created)' : ''}${logFile ? `, logging to ${logFile}` : ''}; Ctrl-C stops\n`);
  const framer = new LineFramer(maxLineBytes);
  socket.on('data', (chunk: Buffer) => {
    for (const f of framer.push(chunk)) {
      if (f.kind === 'line') out.write(`[${stamp()}] [OK] ${f.text}\n`);
      else out.write(`[${stamp()}] [ERR] ${f.reason} (${f.bytes} bytes)\n`);
    }
  });
  const stop = () => {
    socket.destroy();
    if (out !== process.stdout) (out as fs.WriteStream).end();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function status(dir: string): number {
  if (!fs.existsSync(dir)) {
    process.stderr.write(`${dir} does not exist\n`);
    return 1;
  }
  const pipes = listPipes(dir);
  if (pipes.length === 0) process.stdout.write(`no pipes in ${dir}\n`);
  for (const p of pipes) {
    const reader = p.hasReader === undefined ? `unknown (${p.error ?? 'n/a'})` : p.hasReader ? 'yes' : 'NO';
    process.stdout.write(`${p.path}  fifo  mode ${p.mode}  uid ${p.uid} gid ${p.gid}  reader: ${reader}\n`);
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  // Needs a database, not the pipe settings: its own config (DBFIFO_ADMIN_URL).
  if (argv[0] === 'trigger') return triggerMain(argv.slice(1));
  let cfg: ReturnType<typeof loadCliConfig>;
  try {
    cfg = loadCliConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return EXIT_CONFIG;
    }
    throw e;
  }
  const [cmd, ...args] = argv;
  switch (cmd) {
    case 'watch': {
      const i = args.indexOf('--log');
      const log = i >= 0 ? args[i + 1] : undefined;
      const rest = i >= 0 ? args.filter((_, j) => j !== i && j !== i + 1) : args;
      if (rest.length !== 1 || (i >= 0 && !log)) break;
      await watch(pipePath(rest[0]!, cfg.pipeDir), log, cfg.maxLineBytes, cfg.pipeMode);
      return -1; // keep running
    }
    case 'send': {
      if (args.length !== 2) break;
      try {
        sendLine(pipePath(args[0]!, cfg.pipeDir), args[1]!, cfg.maxLineBytes);
        return 0;
      } catch (e) {
        if (!(e instanceof SendError)) throw e;
        process.stderr.write(`dbfifo send: ${e.message}\n`);
        return 1;
      }
    }
    case 'status': {
      if (args.length > 1) break;
      const target = args[0] ?? cfg.pipeDir;
      if (fs.existsSync(target) && !fs.statSync(target).isDirectory()) {
        const s = pipeState(target);
        process.stdout.write(`${JSON.stringify(s)}\n`);
        return s.isFifo ? 0 : 1;
      }
      return status(target);
    }
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
  }
  process.stderr.write(USAGE);
  return 64;
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
