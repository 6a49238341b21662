// Regenerates the blocks of one schema file: the file without its blocks is
// loaded into a throw-away database, so the generator sees the tables (and
// the hand-written triggers it must follow) exactly as a user's server will,
// then each block's command is planned as `dbfifo trigger add` would.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { parseTriggerArgs, planTriggers, readTable, readTriggers } from '@dbfifo/fifo-core/trigger';
import { connect, createTestDatabase } from '@dbfifo/test-utils';
import { findBlocks, replaceBlocks, withoutBlocks } from './blocks.ts';
import { renderBlock } from './render.ts';

/** The file's text with every block regenerated. */
export async function regenerate(file: string): Promise<string> {
  const text = await readFile(file, 'utf8');
  const blocks = findBlocks(text);
  if (blocks.length === 0) return text;
  const db = await createTestDatabase('sql_triggers');
  const stripped = `${file}.without-blocks`;
  try {
    await writeFile(stripped, withoutBlocks(text, blocks));
    await db.load(stripped);
    const conn = await connect(db.url);
    try {
      // Nothing is installed while planning: every block sees the hand-written triggers only.
      const existing = await readTriggers(conn, db.name);
      const bodies: string[] = [];
      for (const b of blocks) {
        const [cmd, table, ...rest] = b.argv;
        if (cmd !== 'add' || !table || table.includes('.')) throw new Error(`${file}:${b.start + 1}: a block is "dbfifo trigger add <table> …" (no database name)`);
        const command = parseTriggerArgs(['add', `${db.name}.${table}`, ...rest]);
        if (command.cmd !== 'add') throw new Error('unreachable');
        const meta = await readTable(conn, db.name, table);
        bodies.push(renderBlock(planTriggers(meta, command.options, existing)));
      }
      return replaceBlocks(text, blocks, bodies);
    } finally {
      await conn.end();
    }
  } finally {
    await db.drop();
    await rm(stripped, { force: true });
  }
}
