// The generated parts of a schema file. A block begins with the command that
// makes it, as a comment, and ends with a fixed comment line:
//
//   -- dbfifo trigger add sms_outbox --pipe sms --on insert --when "NEW.line_id IS NULL"
//   … generated SQL …
//   -- end of generated triggers
//
// The command names the table without a database: the file is loaded into
// whichever database its user picks.

export const BLOCK_START = '-- dbfifo trigger add ';
export const BLOCK_END = '-- end of generated triggers';

export interface Block {
  /** The command's words after `dbfifo trigger`, e.g. ['add', 'sms_outbox', '--pipe', 'sms']. */
  argv: string[];
  /** Line indexes: the command line and the end line. */
  start: number;
  end: number;
}

/** Splits a command line as a POSIX shell would for plain words and '…'/"…" quoting (no variables, no escapes but \" inside "…"). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'" || c === '"') {
      const close = c === "'" ? line.indexOf("'", i + 1) : closingDouble(line, i + 1);
      if (close < 0) throw new Error(`unbalanced ${c} in: ${line}`);
      word = (word ?? '') + (c === '"' ? line.slice(i + 1, close).replace(/\\"/g, '"') : line.slice(i + 1, close));
      i = close;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

function closingDouble(line: string, from: number): number {
  for (let i = from; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '"') return i;
  }
  return -1;
}

/** Every generated block of a file, in order; an unterminated one is an error naming its line. */
export function findBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith(BLOCK_START)) continue;
    const end = lines.findIndex((l, j) => j > i && l === BLOCK_END);
    if (end < 0) throw new Error(`line ${i + 1}: generated block without "${BLOCK_END}"`);
    blocks.push({ argv: shellWords(lines[i]!.slice('-- dbfifo '.length)).slice(1), start: i, end });
    i = end;
  }
  return blocks;
}

/** The file with each block's body replaced by `bodies[i]` (the command and end lines stay). */
export function replaceBlocks(text: string, blocks: Block[], bodies: string[]): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let from = 0;
  blocks.forEach((b, i) => {
    out.push(...lines.slice(from, b.start + 1), ...bodies[i]!.replace(/\n$/, '').split('\n'));
    from = b.end;
  });
  out.push(...lines.slice(from));
  return out.join('\n');
}

/** The file without the blocks' bodies: what is loaded to learn the tables. */
export function withoutBlocks(text: string, blocks: Block[]): string {
  return replaceBlocks(text, blocks, blocks.map(() => ''));
}
