// Whole lines from a child's stdout or stderr, each under its process's name.
// A pipe hands over chunks, not lines: a JSON log line can arrive in two
// reads, and prefixing each chunk (as nx --outputStyle=stream does) would cut
// the record in two. Here a line is written only once its newline is in.
import type { Readable } from 'node:stream';

/**
 * Writes each line of `input` as `${prefix}${line}\n`, one `write` call per
 * batch of whole lines. A last line without a newline is completed when the
 * stream ends. Resolves when `input` has ended and everything was written.
 */
export function relayLines(input: Readable, prefix: string, write: (text: string) => void): Promise<void> {
  let partial = '';
  input.setEncoding('utf8'); // a multi-byte character split across reads stays whole
  input.on('data', (chunk: string) => {
    const text = partial + chunk;
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline < 0) {
      partial = text;
      return;
    }
    partial = text.slice(lastNewline + 1);
    const lines = text.slice(0, lastNewline).split('\n');
    write(lines.map((line) => `${prefix}${line}\n`).join(''));
  });
  return new Promise((resolve) => {
    const finish = () => {
      if (partial !== '') write(`${prefix}${partial}\n`);
      partial = '';
      resolve();
    };
    input.once('end', finish);
    input.once('error', finish);
  });
}
