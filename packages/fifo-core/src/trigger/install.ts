// Creating and dropping triggers. DDL commits on its own, so there is no
// transaction to roll back: everything is generated and validated first, then the
// triggers are created one by one, and when one CREATE fails the ones this run
// created are dropped again. Only triggers carrying dbfifo's marker are ever dropped.
import type { Connection } from 'mysql2/promise';
import { TriggerError } from '../errors.ts';
import { isDbfifo, pipeOf, type CatalogTrigger } from './catalog-trigger.ts';
import { readTable, readTriggers, udfLoaded } from './catalog.ts';
import { dropTriggerSql, planTriggers, type TriggerPlan } from './generate.ts';
import type { TriggerOptions } from './options.ts';
import { displayName, quoteIdent, quoteQualified } from './sql-text.ts';

export const FIFO_SO_MISSING =
  'fifo_write is not a loaded function on this server (not in mysql.func): install fifo.so first (sql/install.sql, see native/README.md); without it every doorbell is lost';

export async function requireFifoWrite(conn: Connection, name = 'fifo_write'): Promise<void> {
  if (!(await udfLoaded(conn, name))) throw new TriggerError([name === 'fifo_write' ? FIFO_SO_MISSING : `${name} is not a loaded function on this server`]);
}

/** The server's words, turned into what the person can do about them. */
function explain(e: unknown, plan: TriggerPlan): string {
  const err = e as { errno?: number; sqlMessage?: string; message?: string };
  const msg = err.sqlMessage ?? err.message ?? String(e);
  const table = displayName(plan.schema, plan.table);
  switch (err.errno) {
    case 1142: // ER_TABLEACCESS_DENIED_ERROR: "TRIGGER command denied to user …"
      return `this account lacks the TRIGGER privilege on ${table} (${msg}); GRANT TRIGGER ON ${quoteQualified(plan.schema, plan.table)} TO the account in DBFIFO_ADMIN_URL`;
    case 1419: // ER_BINLOG_CREATE_ROUTINE_NEED_SUPER, checked before the TRIGGER privilege
      return `with binary logging on, the server lets only an account with SUPER create triggers (or any account with the TRIGGER privilege once log_bin_trust_function_creators=1): ${msg}`;
    case 1363: // ER_TRG_NO_SUCH_ROW_IN_TRG
      return `--when cannot be used in the ${plan.event} trigger: ${msg} (an INSERT has no OLD row, a DELETE no NEW row; narrow --on)`;
    case 1064: // ER_PARSE_ERROR
      return `the server could not compile the ${plan.event} trigger (check --when): ${msg}`;
    default:
      return `creating ${quoteIdent(plan.name)} on ${table} failed: ${msg}`;
  }
}

/** Creates every planned trigger, or none: a failure drops what this call created. */
export async function installTriggers(conn: Connection, plans: TriggerPlan[]): Promise<void> {
  const created: TriggerPlan[] = [];
  for (const plan of plans) {
    try {
      await conn.query(plan.createSql);
      created.push(plan);
    } catch (e) {
      const problems = [explain(e, plan)];
      let undone = 0;
      for (const done of [...created].reverse()) {
        try {
          await conn.query(done.dropSql);
          undone++;
        } catch (dropError) {
          problems.push(`could not drop ${quoteIdent(done.name)} again: ${(dropError as Error).message}; drop it by hand`);
        }
      }
      if (undone === created.length) {
        problems.push(created.length > 0 ? `dropped the ${created.length} trigger(s) this run had created: nothing is left installed` : 'nothing was installed');
      }
      throw new TriggerError(problems);
    }
  }
}

/**
 * `dbfifo trigger add` for a program (tests, benchmarks): planned against the
 * table and its schema's triggers as the server has them now, then installed.
 */
export async function addTriggers(conn: Connection, schema: string, table: string, options: TriggerOptions): Promise<TriggerPlan[]> {
  const plans = planTriggers(await readTable(conn, schema, table), options, await readTriggers(conn, schema));
  await installTriggers(conn, plans);
  return plans;
}

/** dbfifo's triggers on one table (of one pipe, or all). */
export function dbfifoTriggersOf(triggers: CatalogTrigger[], table: string, pipe?: string): CatalogTrigger[] {
  return triggers.filter((t) => t.table === table && isDbfifo(t) && (pipe === undefined || pipeOf(t) === pipe));
}

/** Drops the given dbfifo triggers; refuses anything without dbfifo's marker. */
export async function removeTriggers(conn: Connection, triggers: CatalogTrigger[]): Promise<void> {
  const problems: string[] = [];
  for (const t of triggers) {
    if (!isDbfifo(t)) throw new Error(`refusing to drop ${t.name}: not a dbfifo trigger`); // callers filter; a guard, not a path
    try {
      await conn.query(dropTriggerSql(t.schema, t.name));
    } catch (e) {
      problems.push(`could not drop ${quoteIdent(t.name)}: ${(e as { sqlMessage?: string }).sqlMessage ?? (e as Error).message}`);
    }
  }
  if (problems.length > 0) throw new TriggerError(problems);
}
