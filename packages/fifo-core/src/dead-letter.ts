// Lines the worker refused, one JSON object per line, so a person can see what
// was set aside and why: {at, pipe, reason, detail?, raw, rawEncoding?}.
// `raw` is the line as text, or base64 (rawEncoding: "base64") when it is not UTF-8.
import fs from 'node:fs';
import { isUtf8 } from 'node:buffer';

export interface DeadLetterEntry {
  at: string;
  pipe: string;
  reason: string;
  detail?: string;
  raw: string;
  rawEncoding?: 'base64';
  id?: string;
}

export class DeadLetterFile {
  /** Appends are chained so entries never interleave and order is kept. */
  private tail: Promise<void> = Promise.resolve();

  constructor(readonly file: string, readonly pipe: string, private onError: (e: unknown) => void = () => {}) {}

  /** `reason`: one of DEAD_LETTER_REASONS (codes.ts), or a worker's refusal code in lower case. */
  write(reason: string, raw: Buffer | string, extra: { detail?: string; id?: string } = {}): Promise<void> {
    const text = typeof raw === 'string' ? raw : isUtf8(raw) ? raw.toString('utf8') : undefined;
    const entry: DeadLetterEntry = {
      at: new Date().toISOString(),
      pipe: this.pipe,
      reason,
      ...(extra.id ? { id: extra.id } : {}),
      ...(extra.detail ? { detail: extra.detail } : {}),
      raw: text ?? (raw as Buffer).toString('base64'),
      ...(text === undefined ? { rawEncoding: 'base64' as const } : {}),
    };
    const line = JSON.stringify(entry) + '\n';
    this.tail = this.tail
      .then(() => fs.promises.appendFile(this.file, line, { mode: 0o640 }))
      .catch(this.onError);
    return this.tail;
  }

  /** Resolves when every entry written so far is on disk. */
  flush(): Promise<void> {
    return this.tail;
  }
}

/** Read a dead-letter file back (tests, CLI). */
export async function readDeadLetters(file: string): Promise<DeadLetterEntry[]> {
  const text = await fs.promises.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return '';
    throw e;
  });
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as DeadLetterEntry);
}
