// Building SQL text safely: identifiers in backticks (a backtick doubled), and
// string literals that need no escaping at all.
//
// Why no escapes: information_schema.TRIGGERS.ACTION_STATEMENT does not show a
// trigger's literals as they were sent. MariaDB renders each literal from its
// value, in utf8mb3, with only the quote doubled: 'a\\b' shows as 'a\b', 'it\'s'
// as 'it''s', an emoji as '?', `_utf8mb4 X'..'` without its introducer. list, check
// and remove read our triggers back from there, so every literal is written in a
// form that shows back byte for byte: plain quotes around text without quotes,
// backslashes, control or non-BMP characters (the JSON fragments of ordinary
// names), and a hex literal X'…' for anything else (a binary string: fifo_write
// takes bytes, so the doorbell stays the same UTF-8). This also makes the text
// independent of NO_BACKSLASH_ESCAPES.

/** `name` as a quoted identifier: backticks around, a backtick inside doubled. */
export function quoteIdent(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/** `db`.`name` */
export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

// Printable ASCII but ' and \, and the rest of the BMP (utf8mb3 keeps it) but surrogates.
const PLAIN = /^[\x20-\x26\x28-\x5b\x5d-\x7e\u00a0-\ud7ff\ue000-\uffff]*$/;

/** A string literal the server shows back unchanged: 'text' when that needs no escaping, else X'hex'. */
export function sqlString(value: string): string {
  return PLAIN.test(value) ? `'${value}'` : `X'${Buffer.from(value, 'utf8').toString('hex').toUpperCase()}'`;
}

/**
 * Reads the literal sqlString wrote (as the server shows it) at `text[start]`:
 * 'text' (a doubled quote is one quote) or X'hex'. Undefined when there is none.
 */
export function readSqlString(text: string, start: number): { value: string; end: number } | undefined {
  if ((text[start] === 'X' || text[start] === 'x') && text[start + 1] === "'") {
    const close = text.indexOf("'", start + 2);
    const hex = close < 0 ? '' : text.slice(start + 2, close);
    if (close < 0 || hex.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(hex)) return undefined;
    return { value: Buffer.from(hex, 'hex').toString('utf8'), end: close + 1 };
  }
  if (text[start] !== "'") return undefined;
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] !== "'") out += text[i];
    else if (text[i + 1] === "'") {
      out += "'";
      i++;
    }
    else return { value: out, end: i + 1 };
  }
  return undefined;
}

/** How people write a table name: db.table, with backticks only where a name needs them. */
export function displayName(schema: string, name?: string): string {
  const part = (s: string) => (/^[A-Za-z0-9_$]+$/.test(s) && !/^\d+$/.test(s) ? s : quoteIdent(s));
  return name === undefined ? part(schema) : `${part(schema)}.${part(name)}`;
}

/** Same SQL text up to whitespace (the mariadb client may re-flow it; the server keeps the rest as sent). */
export function sameSql(a: string, b: string): boolean {
  const n = (s: string) => s.replace(/\s+/g, ' ').trim();
  return n(a) === n(b);
}
