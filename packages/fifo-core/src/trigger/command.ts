// `dbfifo trigger add|list|remove|check`: connects, reads the catalog, and prints.
// The SQL itself comes from generate.ts; creating and dropping from install.ts.
import mysql, { type Connection } from 'mysql2/promise';
import { loadTriggerCliConfig, redactUrl } from '../config.ts';
import { ConfigError, EXIT_CONFIG, TriggerError } from '../errors.ts';
import { parseTriggerArgs, UsageError, type TriggerCommand } from './argv.ts';
import { readTable, readTriggers, udfLoaded } from './catalog.ts';
import type { CatalogTrigger } from './catalog-trigger.ts';
import { drift, groupByPipe, headerOf, type PipeGroup } from './check.ts';
import { doorbellExample } from './doorbell.ts';
import { dropTriggerSql, dryRunSql, planTriggers, sizeWarnings, type TriggerPlan } from './generate.ts';
import { dbfifoTriggersOf, FIFO_SO_MISSING, installTriggers, removeTriggers, requireFifoWrite } from './install.ts';
import { displayName, quoteIdent, sameSql } from './sql-text.ts';
import type { TableMeta } from './table-meta.ts';

export const TRIGGER_USAGE = `usage: dbfifo trigger <command>   (connects with DBFIFO_ADMIN_URL, else DATABASE_URL)
  add <db>.<table> --pipe <name> [options]
      install AFTER triggers that ring the pipe with {"table":"<table>","op":"insert","id":42}
      (a composite primary key: "id":{"a":1,"b":"x"}; a table without one is refused)
      --on insert,update,delete   events that ring (default: all three)
      --columns a,b               an UPDATE rings only when one of these (or the key) really changed
      --when "<condition>"        SQL on NEW/OLD, pasted into the trigger: trusted operator input
      --fields a,b                the doorbell also carries these values (NEW; OLD on delete)
      --old-fields a,b            an UPDATE's doorbell also carries "old":{…} with these OLD values
      --dry-run                   print the SQL (for the mariadb client), change nothing
  list [<db>[.<table>]]           dbfifo's triggers: table, pipe, events, options
  remove <db>.<table> [--pipe <name>] [--dry-run]
                                  drop dbfifo's triggers of the table (never anyone else's)
  check [<db>[.<table>]]          compare with what add generates today: exit 0 same,
                                  1 drift (key changed, column dropped, older generator), 2 could not check
Only AFTER triggers: the row is in the table when the doorbell rings, and the worker's
readCommitted relies on that to wait for the COMMIT. A name with dots or odd characters
goes in backticks: \`my.db\`.\`order lines\`, --columns 'status,\`net total\`'.
`;

const say = (s: string) => void process.stdout.write(`${s}\n`);
const warn = (s: string) => void process.stderr.write(`${s}\n`);

/** Runs `dbfifo trigger …`; returns the exit code. */
export async function triggerMain(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let command: TriggerCommand;
  try {
    command = parseTriggerArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    warn(`dbfifo trigger: ${e.message}\n`);
    process.stderr.write(TRIGGER_USAGE);
    return 64;
  }
  if (command.cmd === 'help') {
    process.stdout.write(TRIGGER_USAGE);
    return 0;
  }
  const failed = command.cmd === 'check' ? 2 : 1;
  let config: ReturnType<typeof loadTriggerCliConfig>;
  try {
    config = loadTriggerCliConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    warn(e.message);
    return EXIT_CONFIG;
  }
  let conn: Connection;
  try {
    conn = await mysql.createConnection({ uri: config.url.replace(/^mariadb:/i, 'mysql:'), charset: 'utf8mb4', supportBigNumbers: true });
  } catch (e) {
    warn(`dbfifo trigger: cannot connect with ${config.variable} (${redactUrl(config.url)}): ${(e as Error).message}`);
    return failed;
  }
  try {
    switch (command.cmd) {
      case 'add':
        return await add(conn, command, argv);
      case 'remove':
        return await remove(conn, command);
      case 'list':
        return await list(conn, command);
      case 'check':
        return await check(conn, command);
    }
  } catch (e) {
    if (!(e instanceof TriggerError)) {
      const err = e as { sqlMessage?: string; message?: string };
      warn(`dbfifo trigger ${command.cmd}: ${err.sqlMessage ?? err.message}`);
      return failed;
    }
    warn(`dbfifo trigger ${command.cmd}:${e.problems.length > 1 ? '\n' : ' '}${e.message}`);
    return failed;
  } finally {
    await conn.end().catch(() => undefined);
  }
}

async function add(conn: Connection, c: Extract<TriggerCommand, { cmd: 'add' }>, argv: string[]): Promise<number> {
  const meta = await readTable(conn, c.schema, c.table);
  const existing = await readTriggers(conn, c.schema);
  const plans = planTriggers(meta, c.options, existing);
  for (const w of sizeWarnings(meta, c.options)) warn(`warning: ${w}`);
  const table = displayName(c.schema, c.table);
  if (c.dryRun) {
    if (!(await udfLoaded(conn))) warn(`warning: ${FIFO_SO_MISSING}`);
    process.stdout.write(dryRunSql(plans, `dbfifo trigger ${argv.map(shellWord).join(' ')}`));
    return 0;
  }
  await requireFifoWrite(conn);
  const installed = dbfifoTriggersOf(existing, c.table, c.options.pipe);
  if (installed.length > 0) {
    const same = installed.length === plans.length && plans.every((p) => installed.some((t) => t.name === p.name && sameSql(t.body, p.body)));
    if (same) {
      say(`${table}: the triggers for pipe ${JSON.stringify(c.options.pipe)} are installed already, as asked; nothing changed`);
      return 0;
    }
    throw new TriggerError([
      `${table} already has dbfifo triggers for pipe ${JSON.stringify(c.options.pipe)} (${names(installed)}) with other options; ` +
        `run \`dbfifo trigger remove ${table} --pipe ${c.options.pipe}\` first, then add again`,
    ]);
  }
  await installTriggers(conn, plans);
  say(`${table}: installed ${plans.map(describe).join(', ')}; they ring pipe ${JSON.stringify(c.options.pipe)}`);
  for (const op of c.options.on) say(`  ${op}: ${doorbellExample(meta, c.options, op)}`);
  return 0;
}

function describe(p: TriggerPlan): string {
  return `${quoteIdent(p.name)} (AFTER ${p.event.toUpperCase()}${p.follows ? `, after ${quoteIdent(p.follows)}` : ''})`;
}

const names = (ts: CatalogTrigger[]) => ts.map((t) => quoteIdent(t.name)).join(', ');

async function remove(conn: Connection, c: Extract<TriggerCommand, { cmd: 'remove' }>): Promise<number> {
  await readTable(conn, c.schema, c.table); // an unknown table is an error, not "nothing to remove"
  const all = await readTriggers(conn, c.schema);
  const ours = dbfifoTriggersOf(all, c.table, c.pipe);
  const table = displayName(c.schema, c.table);
  const scope = c.pipe === undefined ? '' : ` for pipe ${JSON.stringify(c.pipe)}`;
  if (ours.length === 0) {
    say(`${table}: no dbfifo triggers${scope}; nothing removed`);
    return 0;
  }
  if (c.dryRun) {
    for (const t of ours) say(`${dropTriggerSql(t.schema, t.name)};`);
    return 0;
  }
  await removeTriggers(conn, ours);
  const others = all.filter((t) => t.table === c.table && !ours.includes(t));
  say(`${table}: removed ${names(ours)}${others.length > 0 ? `; left ${names(others)} alone` : ''}`);
  return 0;
}

async function scoped(conn: Connection, c: { schema?: string; table?: string }): Promise<PipeGroup[]> {
  const triggers = await readTriggers(conn, c.schema);
  return groupByPipe(triggers.filter((t) => c.table === undefined || t.table === c.table));
}

function summary(g: PipeGroup): string {
  const h = headerOf(g);
  const opts = h
    ? [
        `on ${h.on.join(',')}`,
        h.columns.length > 0 ? `columns ${h.columns.join(',')}` : '',
        h.when !== null ? `when ${JSON.stringify(h.when)}` : '',
        h.fields.length > 0 ? `fields ${h.fields.join(',')}` : '',
        h.oldFields.length > 0 ? `old-fields ${h.oldFields.join(',')}` : '',
      ].filter(Boolean)
    : ['options unreadable'];
  return `${displayName(g.schema, g.table)}  pipe ${g.pipe === undefined ? '?' : JSON.stringify(g.pipe)}  ${opts.join('  ')}  triggers ${names(g.triggers)}`;
}

async function list(conn: Connection, c: { schema?: string; table?: string }): Promise<number> {
  const groups = await scoped(conn, c);
  if (groups.length === 0) say('no dbfifo triggers');
  for (const g of groups) say(summary(g));
  return 0;
}

async function check(conn: Connection, c: { schema?: string; table?: string }): Promise<number> {
  // Each table read once, however many pipes ring from it (an unknown table named fails here, before anything else).
  const tables = new Map<string, Promise<TableMeta>>();
  const tableOf = (schema: string, table: string) => {
    const k = JSON.stringify([schema, table]);
    if (!tables.has(k)) tables.set(k, readTable(conn, schema, table));
    return tables.get(k)!;
  };
  if (c.table !== undefined) await tableOf(c.schema!, c.table);
  const groups = await scoped(conn, c);
  if (groups.length === 0) {
    say('no dbfifo triggers to check');
    return 0;
  }
  let drifted = 0;
  for (const g of groups) {
    const reasons = drift(g, await tableOf(g.schema, g.table));
    if (reasons.length === 0) {
      say(`ok     ${summary(g)}`);
      continue;
    }
    drifted++;
    say(`DRIFT  ${summary(g)}`);
    for (const r of reasons) say(`  - ${r}`);
  }
  if (drifted > 0) say(`${drifted} of ${groups.length} trigger set(s) drifted: \`dbfifo trigger remove <db>.<table> --pipe <name>\`, then add again`);
  return drifted > 0 ? 1 : 0;
}

/** An argument as a shell would need it, for the dry-run's first comment line. */
function shellWord(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`;
}
