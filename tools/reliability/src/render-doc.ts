// docs/reliability.md: the guarantees, each with the case that tests it and
// the counts that case printed on its last run (tools/reliability/results/).
// `npm run reliability` re-renders it at the end; the text here is the doc.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = resolve(here, '../results');
const docFile = resolve(here, '../../../docs/reliability.md');

type Result = Record<string, unknown> & { case: string; suite: string; at: string };

function load(name: string): Result | undefined {
  const f = join(resultsDir, `${name}.full.json`);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as Result) : undefined;
}

function num(name: string, key: string): number | undefined {
  const v = load(name)?.[key];
  return typeof v === 'number' ? v : undefined;
}

/** One sentence reading the counts of the last run, so the doc says what they mean. */
function reading(name: string): string {
  const items = num(name, 'items');
  const viaReconcile = num(name, 'viaReconcile');
  const redeliveries = num(name, 'redeliveries');
  if (items === undefined || viaReconcile === undefined) return '';
  return ` Reading: ${viaReconcile} of ${items} effects were applied by reconcile, not by a line; ${redeliveries ?? 0} later deliveries found the work done and did nothing.`;
}

function counts(name: string): string {
  const r = load(name);
  if (!r) return `_not run yet_`;
  const { case: _c, suite: _s, at, ...rest } = r;
  return `full suite, ${at.slice(0, 16).replace('T', ' ')} UTC: \`${JSON.stringify(rest)}\``;
}

const doc = `# Reliability

<!-- Rendered by tools/reliability/src/render-doc.ts from tools/reliability/results/*.json; \`npm run reliability\` refreshes the counts. -->

What dbfifo promises, what it does not, and the test that shows each promise
holding, with the counts that test printed on its last run. Every case
asserts that nothing was lost and nothing was done twice; the counts are
what it saw.

Run it: \`npm run reliability\` (the full suite: the issue's sizes, server
restarts on a private stack instance \`STACK_NAME=reliability\`, ports 3431/6431,
and libFuzzer). The fast part runs in \`npm test\` through the \`reliability\`
Nx project with smaller counts (and prints why the restart cases are skipped).
Sizes are environment variables: \`RELIABILITY_KILL_ROWS\`, \`RELIABILITY_ROLLBACKS\`,
\`RELIABILITY_LOAD_ROWS\`, \`RELIABILITY_STALL_SECONDS\`, \`RELIABILITY_OUTAGE_SECONDS\`,
\`RELIABILITY_PROPERTY_RUNS\`, \`RELIABILITY_FUZZ_SECONDS\`. In every count, \`lost\`
(= \`missing\`) is items without an effect and \`duplicated\` (= \`handledWithoutItem\`)
effects of rows that do not exist; a second effect of one item is impossible by the
ledger's unique key, and a later delivery that finds the work done is a \`redelivery\`.

## The worker under test

\`tools/reliability/src/ledger-worker.ts\` is the smallest worker that can
show loss or duplication. Its only effect is a row in \`handled\`, keyed by
the item id, so a second delivery cannot do the work twice: it bumps
\`deliveries\` instead (reported as \`redeliveries\`). Every handler call is
logged in \`invocations\`. Its \`reconcile()\` is the level-triggered half:
items without a \`handled\` row get one. The counts:
\`items\` (committed rows, the truth), \`handled\`, \`missing\` (items without
an effect: lost), \`handledWithoutItem\` (effects of rows that do not exist:
rolled back or invented), \`viaLine\` / \`viaReconcile\` (which path applied the
effect), \`redeliveries\`, \`invocations\`.

## Guarantees and evidence

### 1. At-least-once delivery; exactly one effect with an idempotent handler

A line is a doorbell, the row is the truth. A worker that dies, a server that
restarts, a pipe that disappears: each loses doorbells, none loses a row.

- **SIGKILL in the middle of a burst, then restart** (\`tests/kill-restart.test.ts\`):
  the worker runs as its own process; after a probe row proves it is reading,
  rows are inserted in 50-row statements, the worker is killed with SIGKILL
  once a quarter of the burst is handled, the rest of the burst is inserted
  while no reader exists, then a new worker starts. Asserts every item has
  exactly one effect and SIGTERM then exits 0.
  ${counts('kill-restart')}${reading('kill-restart')}
- **MariaDB restarted under load** (\`tests/server-restarts.test.ts\`, direct
  mode, reconcile every second): ${counts('mariadb-restart')}${reading('mariadb-restart')}
- **Redis restarted under load, queue mode** (same file; Redis stopped for
  about 1.5 s plus the stop/start time while rows keep coming): ${counts('redis-restart')}${reading('redis-restart')}
- **The pipe removed and recreated while running** (\`tests/pipe-recreate.test.ts\`):
  a third of the way through, the pipe is removed (writers get \`'false'\` at
  once); at two thirds it is made again (by the test, unless the worker already
  did: \`recreatedByWorker\`). fifo-core notices a removed or replaced path by a
  periodic \`lstat\` and re-opens it; \`readerBackAfterLoopMs\` is how long after
  the last insert a writer found a reader again. ${counts('pipe-recreate')}${reading('pipe-recreate')}

What is *not* promised: that a handler runs once. It can run again for the
same row (a redelivery, a doorbell racing reconcile), so handlers must be
idempotent: claim the row (\`UPDATE … WHERE status = 'pending'\`), or key the
effect, as the ledger does. \`redeliveries\` above counts exactly those.

### 2. Level-triggered: reconcile covers the doorbells nobody heard

While no reader has the pipe open, \`fifo_write\` answers \`'false'\` and the
line is gone; lines still in the kernel's pipe buffer when a reader dies are
gone too. \`reconcile()\` runs at start and every
\`DBFIFO_RECONCILE_INTERVAL_MS\`, and finds those rows from the tables. The
\`viaReconcile\` counts above are the rows whose doorbell was lost and that
were handled anyway.

### 3. Rolled-back rows are never handled

The trigger fires before COMMIT, so a rolled-back insert still rings the
pipe. The handler reads its row with fifo-core's \`readCommitted\` (a locking
read that waits for the inserting transaction to end), finds nothing once the
rollback is done, and reports it as rolled back; reconcile finds nothing either.

- **Rolled-back transactions** (\`tests/rollback.test.ts\`): each \`START
  TRANSACTION; INSERT; ROLLBACK\`, then one committed row. ${counts('rollback')}

### 4. Never blocks the server, whatever the consumer does

\`fifo_write\` opens the pipe non-blocking: no reader means \`'false'\` at once;
a full pipe means one bounded wait (\`DBFIFO_WRITE_TIMEOUT_MS\`, default 10 ms,
at most 10 s), then \`'false'\`, and from then on every writer of that pipe gets
\`'false'\` at once until it is half empty (fail fast, native/README.md).
fifo-core never stops reading its pipe because its handlers or Redis are slow:
doorbells merge by key, past \`DBFIFO_PENDING_MAX\` they are dropped, and a
doorbell that may have been lost (the pipe was seen full, doorbells dropped, a
relay could not reach Redis) makes the worker catch up from the rows at once.
\`fifo_read\` always has a bounded timeout.

- **A consumer stalled by SIGSTOP** (\`tests/stalled-consumer.test.ts\`): the
  worker runs as its own process and is stopped while 4 connections insert
  single rows as fast as the server answers, for \`RELIABILITY_STALL_SECONDS\`
  (60 in the full suite): far more doorbells than the pipe holds. Then SIGCONT,
  with no periodic reconcile configured: asserts every item has exactly one
  effect within 10 s, and reports each INSERT's time (p50, p99, slowest) and
  how long the catch-up took (\`caughtUpMs\`). ${counts('stalled-consumer')}${reading('stalled-consumer')}
- **Redis stopped in queue mode** (\`tests/redis-outage.test.ts\`): the same
  writers for \`RELIABILITY_OUTAGE_SECONDS\` (30 in the full suite) while a
  private Redis is down; the relay keeps taking lines off the pipe, holds them
  pending, and owes the consumers a catch-up that runs first when Redis is
  back. ${counts('redis-outage')}${reading('redis-outage')}
- **The SMS provider failing every request** (\`tests/provider-outage.test.ts\`):
  sms-worker in direct mode against the local Twilio-compatible API, which
  answers 503 to everything for \`RELIABILITY_OUTAGE_SECONDS\` (30 in the full
  suite) while 4 connections insert 100 texts a second. The breaker stops
  calling the provider, the rows go back, and once it answers again the
  catch-up sends them: asserts every text sent exactly once (one message per
  row at the provider) within 10 s of the outage's end (\`sentAfterMs\`),
  with no periodic reconcile. ${counts('provider-outage')}
- In the kill case above the second part of the burst was inserted while no
  worker existed, and in the pipe case while the pipe did not exist: the
  inserts carried on (the counts show every item committed).
- **Hostile timeouts** (\`tests/hostile-udf.test.ts\`, second case): negative,
  zero, huge and non-numeric timeouts: every call answered \`'true'\` or
  \`'false'\`. ${counts('hostile-udf-args')}
- Bulk signalling in \`docs/benchmarks.md\`: a million \`fifo_write\`s in one
  statement, with the \`'false'\` count (pipe full past the bounded wait)
  reported beside the lines received.

### 5. Sandbox: the UDFs touch only FIFOs inside one directory

Any SQL user can call a UDF. \`native/tests/sandbox.test.ts\` checks each rule
by hand (\`fifo_remove('/var/lib/mysql/ibdata1')\`, symlinks, devices, \`..\`).
The reliability suite adds a generated sweep:

- **Hostile paths to every UDF** (\`tests/hostile-udf.test.ts\`, first case):
  random paths built from \`..\`, symlinks in the pipe directory pointing at a
  FIFO, a file and a directory outside it, NUL bytes, newlines, absolute
  paths (\`/etc/passwd\`, the server's \`ibdata1\`, \`/proc/self/environ\`), 300-byte
  names; each through \`fifo_write\`, \`fifo_remove\`, \`fifo_create\` and
  \`fifo_read\` as the ordinary user. Afterwards: the outside directory is
  unchanged, its FIFO received no byte, \`/etc/passwd\` has the same hash,
  \`ibdata1\` exists, the symlinks are still symlinks, the only new entries are
  FIFOs made by \`fifo_create\` inside the directory, and the server answers.
  ${counts('hostile-udf-paths')}
- **Hostile messages** (same file): binary, NUL, embedded newlines, 4090–4100
  bytes, numbers, NULL. Every line read back is whole, at most 4096 bytes, and
  there is exactly one line per \`'true'\`. ${counts('hostile-udf-args')}

### 6. Hostile input on the pipes: refused, counted, set aside; the worker keeps going

- **Malformed, overlong, binary and injection lines** on a worker's pipe
  (\`tests/hostile-lines.test.ts\`): each is refused (counted, written to the
  dead-letter file) or, when it names a row, handled as a doorbell for that
  row (idempotently, or as rolled back when the row does not exist); a real row
  after them is handled; the tables are intact. ${counts('hostile-lines')}
- **Every worker's own line parser** with the same text lines (same file):
  a value or \`InvalidMessageError\`, never another exception; the firewall's
  bare-address lines must also fail address validation.
  - sms-worker: ${counts('hostile-parse-sms-worker')}
  - static-gen: ${counts('hostile-parse-static-gen')}
  - firewall-worker: ${counts('hostile-parse-firewall-worker')}
- **The same set on each real worker's own pipe**
  (\`tests/hostile-worker-pipes.test.ts\`): sms-worker, static-gen and
  firewall-worker, each under fifo-core's runtime with its own database,
  triggers and pipe. Every line is refused and dead-lettered or handled; the
  worker keeps running; then a real change still takes effect exactly once
  (one text, one page and no page for a hostile slug, one ban and no
  hostile text in the kernel's set).
  - sms-worker: ${counts('hostile-pipe-sms-worker')}
  - static-gen: ${counts('hostile-pipe-static-gen')}
  - firewall-worker: ${counts('hostile-pipe-firewall-worker')}
- **Property tests of the line framer with arbitrary bytes**
  (\`tests/framer-bytes.test.ts\`, fast-check; fifo-core's own
  \`line-framer.spec.ts\` covers text, chunking and the length limit): never
  throws, never emits a newline or an overlong line, same events however the
  bytes are chunked. ${counts('framer-bytes')}
- **libFuzzer with ASan and UBSan over the UDF's C helpers** (path resolver,
  line framing, the settings parsers for \`DBFIFO_WRITE_TIMEOUT_MS\` and
  \`DBFIFO_PIPE_DIR\`, and the quoting of arguments into error texts; native's harnesses via \`make -C native fuzz\`, run by
  \`tools/reliability/src/fuzz.ts\` for a bounded time per target):
  ${counts('fuzz')}
`;

writeFileSync(docFile, doc);
console.log(`[reliability] wrote ${docFile}`);
