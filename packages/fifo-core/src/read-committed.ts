// A trigger rings the pipe *before* COMMIT, with the new row already in the
// index under the writer's (implicit) lock. A locking read of that row
// (`… LOCK IN SHARE MODE`) therefore waits for the writer instead of polling:
// it returns the committed row right after COMMIT, or no row right after a
// ROLLBACK. Checked on MariaDB 10.11 (REPEATABLE READ) for INSERT, UPDATE
// (returns the new committed version) and DELETE (no row); see the tests.
//
// The worker's statement is autocommit, so its S lock lives only for that one
// statement: the writer never waits on it (its own later statements on the row
// went through in ~2 ms in the probe), and there is nothing to deadlock with.
// The wait is bounded: on MariaDB by `SET STATEMENT max_statement_time=<s>`
// (fractional seconds: the caller's timeout exactly) plus innodb_lock_wait_timeout;
// on MySQL by a SET_VAR hint of whole seconds. What cannot be bounded in time
// (MySQL, < 1 s left) falls back to waitForRow's plain re-reads.
import type { Pool } from 'mysql2/promise';
import { ABORTED, abortable } from './abortable.ts';
import { waitForRow } from './wait-for-row.ts';

/** What a pool needs for this: mysql2/promise's `query`. */
export type Queryable = Pick<Pool, 'query'>;

export interface ReadCommittedOptions {
  /** Give up after this long (default 2000 ms): the writer's transaction is still open. */
  timeoutMs?: number;
  /** Stop waiting (shutdown): resolves at once; the statement ends by its own bound. */
  signal?: AbortSignal;
}

export type ReadCommittedOutcome<R> =
  | { state: 'committed'; row: R }
  /** No committed row: the insert was rolled back, the delete committed, or the row never existed. */
  | { state: 'absent' }
  /** The writer still held the row when timeoutMs ran out (a long transaction). */
  | { state: 'timeout' }
  | { state: 'aborted' };

type Dialect = 'mariadb' | 'mysql';
const dialects = new WeakMap<object, Promise<Dialect>>();

/** Errors that mean "the writer has not finished yet", not a failure. */
const WAIT_ENDED = new Set([
  1205, // ER_LOCK_WAIT_TIMEOUT
  1969, // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
  3024, // ER_QUERY_TIMEOUT (MySQL MAX_EXECUTION_TIME)
  1213, // ER_LOCK_DEADLOCK: the reader (no undo) is the victim; read again
]);

/**
 * The first row of `sql` as committed, waiting for a writer that holds it.
 * `sql` is one SELECT without a locking clause, on an indexed equality
 * (`WHERE id = ?`): a locking read locks every row it scans.
 * Resolves undefined when there is no committed row (rolled back / deleted)
 * or timeoutMs ran out; use readCommittedOutcome to tell those apart.
 */
export async function readCommitted<R>(pool: Queryable, sql: string, params: unknown[] = [], o: ReadCommittedOptions = {}): Promise<R | undefined> {
  const r = await readCommittedOutcome<R>(pool, sql, params, o);
  return r.state === 'committed' ? r.row : undefined;
}

export async function readCommittedOutcome<R>(pool: Queryable, sql: string, params: unknown[] = [], o: ReadCommittedOptions = {}): Promise<ReadCommittedOutcome<R>> {
  const r = await lockingRead<R>(pool, sql, params, o);
  if (r.state !== 'rows') return r;
  const row = r.rows[0];
  return row === undefined || row === null ? { state: 'absent' } : { state: 'committed', row };
}

/**
 * The batched form: the rows a doorbell batch names, as committed, in one
 * locking read. `sql` selects them by key with one `IN (?)` placeholder
 * (e.g. `SELECT … FROM t WHERE id IN (?)`), `keyOf(row)` says which key a
 * row has. One statement waits for every writer of the batch; if one of them
 * is still open when timeoutMs runs out, the rows already committed are
 * taken without waiting (`SKIP LOCKED`) and only the others are 'timeout'.
 * Keys with no committed row are 'absent'.
 */
export async function readCommittedMany<K, R>(
  pool: Queryable,
  sql: string,
  keys: readonly K[],
  keyOf: (row: R) => K,
  o: ReadCommittedOptions = {},
): Promise<Map<K, ReadCommittedOutcome<R>>> {
  const out = new Map<K, ReadCommittedOutcome<R>>();
  if (keys.length === 0) return out;
  const r = await lockingRead<R>(pool, sql, [keys], o);
  if (r.state === 'rows') {
    for (const row of r.rows) out.set(keyOf(row), { state: 'committed', row });
    for (const k of keys) if (!out.has(k)) out.set(k, { state: 'absent' });
    return out;
  }
  if (r.state === 'timeout') {
    for (const row of await committedNow<R>(pool, sql, [keys])) out.set(keyOf(row), { state: 'committed', row });
  }
  for (const k of keys) if (!out.has(k)) out.set(k, { state: r.state });
  return out;
}

type LockingRead<R> = { state: 'rows'; rows: R[] } | { state: 'timeout' } | { state: 'aborted' };

/** `sql` as a locking read, re-run on "writer not finished yet" errors until timeoutMs. */
async function lockingRead<R>(pool: Queryable, sql: string, params: unknown[], o: ReadCommittedOptions): Promise<LockingRead<R>> {
  const deadline = Date.now() + (o.timeoutMs ?? 2000);
  const dialect = await dialectOf(pool);
  const base = sql.trim().replace(/;+\s*$/, '');
  for (;;) {
    if (o.signal?.aborted) return { state: 'aborted' };
    const left = deadline - Date.now();
    if (left <= 0) return { state: 'timeout' };
    const locking = lockingSql(dialect, base, left);
    if (locking === undefined) return plainFallback<R>(pool, base, params, left, o.signal);
    try {
      const rows = await abortable(pool.query(locking, params), o.signal);
      if (rows === ABORTED) return { state: 'aborted' };
      return { state: 'rows', rows: rows[0] as unknown as R[] };
    } catch (err) {
      if (!WAIT_ENDED.has((err as { errno?: number }).errno ?? -1)) throw err;
      // Timed out (or lost a deadlock): loop; the deadline decides.
    }
  }
}

/** The committed rows of `sql` whose writers are done, without waiting for the others. */
async function committedNow<R>(pool: Queryable, sql: string, params: unknown[]): Promise<R[]> {
  const dialect = await dialectOf(pool);
  const base = sql.trim().replace(/;+\s*$/, '');
  const skip = dialect === 'mariadb' ? `${base} LOCK IN SHARE MODE SKIP LOCKED` : `${base} FOR SHARE SKIP LOCKED`;
  return (await pool.query(skip, params))[0] as unknown as R[];
}

/** The locking form of `sql` bounded by `leftMs`, or undefined when the server cannot bound it that tightly. */
export function lockingSql(dialect: Dialect, sql: string, leftMs: number): string | undefined {
  if (dialect === 'mariadb') {
    const seconds = Math.max(0.001, leftMs / 1000).toFixed(3);
    const lockWait = Math.max(1, Math.ceil(leftMs / 1000));
    return `SET STATEMENT max_statement_time=${seconds}, innodb_lock_wait_timeout=${lockWait} FOR ${sql} LOCK IN SHARE MODE`;
  }
  const lockWait = Math.floor(leftMs / 1000);
  if (lockWait < 1) return undefined;
  return `${sql.replace(/^SELECT\b/i, `SELECT /*+ SET_VAR(innodb_lock_wait_timeout=${lockWait}) */`)} FOR SHARE`;
}

/** MySQL with under 1 s left (its lock wait is whole seconds): plain re-reads until the rows show up. */
async function plainFallback<R>(pool: Queryable, sql: string, params: unknown[], leftMs: number, signal?: AbortSignal): Promise<LockingRead<R>> {
  const rows = await waitForRow(async () => {
    const r = (await pool.query(sql, params))[0] as unknown as R[];
    return r.length > 0 ? r : undefined;
  }, { timeoutMs: leftMs, signal });
  if (rows !== undefined) return { state: 'rows', rows };
  return signal?.aborted ? { state: 'aborted' } : { state: 'timeout' };
}

function dialectOf(pool: Queryable): Promise<Dialect> {
  let d = dialects.get(pool);
  if (!d) {
    d = pool.query('SELECT VERSION() AS v').then(([rows]) => (/mariadb/i.test(String((rows as { v: string }[])[0]?.v)) ? 'mariadb' : 'mysql'));
    d.catch(() => dialects.delete(pool)); // a failed probe is retried next time
    dialects.set(pool, d);
  }
  return d;
}
