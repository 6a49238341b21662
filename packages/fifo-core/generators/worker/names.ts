// The names a generated worker is written with, from the options of
// `nx g @dbfifo/fifo-core:worker <name> [--pipe] [--table]`. Every problem is
// found here, before a file is written, and said in one message.

export interface WorkerGeneratorOptions {
  name: string;
  pipe?: string;
  table?: string;
  skipInstall?: boolean;
}

export interface WorkerNames {
  /** Folder, Nx project, systemd instance, log label: `orders-worker`. */
  name: string;
  /** The pipe its triggers ring and its folder under sql/: `orders`. */
  pipe: string;
  /** The table whose changes ring the pipe: `orders`. */
  table: string;
  /** Types and classes: `Orders` (OrdersLine, OrdersRows). */
  className: string;
  /** Values and the config part: `orders` (ordersWorker, config.orders). */
  propertyName: string;
  /** Its variables' prefix and code registry: `ORDERS` (ORDERS_ROW_WAIT_MS, ORDERS_CODES). */
  constantName: string;
}

/** Lower case, digits and dashes: valid as an npm name, an Nx project, a systemd instance and a folder. */
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** A bare pipe name fifo_write accepts that is also a plain folder name. */
const PIPE = /^[a-z][a-z0-9_]*(-[a-z0-9_]+)*$/;
/** A table name the starter schema and its SQL can use unquoted in prose (quoted in SQL anyway). */
const TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function words(s: string): string[] {
  return s.split(/[-_]+/).filter(Boolean);
}

const capital = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

export function workerNames(o: WorkerGeneratorOptions): WorkerNames {
  const problems: string[] = [];
  const name = String(o.name ?? '').trim();
  if (!NAME.test(name)) problems.push(`name ${JSON.stringify(name)}: use lower case letters, digits and single dashes, starting with a letter (e.g. orders-worker)`);
  if (name === 'fifo-core' || name === 'test-utils') problems.push(`name ${JSON.stringify(name)} is taken by the workspace's own package`);
  const pipe = o.pipe?.trim() || name.replace(/-worker$/, '') || name;
  if (!PIPE.test(pipe)) problems.push(`--pipe ${JSON.stringify(pipe)}: use lower case letters, digits, _ and single dashes, starting with a letter`);
  const table = o.table?.trim() || pipe.replace(/-/g, '_');
  if (!TABLE.test(table)) problems.push(`--table ${JSON.stringify(table)}: use letters, digits and _ (at most 64), not starting with a digit; for another name, edit the generated schema`);
  if (problems.length > 0) throw new Error(`nx g @dbfifo/fifo-core:worker: ${problems.join('; ')}`);
  const parts = words(pipe);
  return {
    name,
    pipe,
    table,
    className: parts.map(capital).join(''),
    propertyName: parts[0]! + parts.slice(1).map(capital).join(''),
    constantName: parts.map((w) => w.toUpperCase()).join('_'),
  };
}
