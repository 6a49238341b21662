// Temporary folders that remove themselves, FIFOs and all: a test asks for
// one and forgets it. Under vitest every file's folders go when the file ends
// (vitest-setup.ts, loaded by each vitest config); anything else (a bench, a
// script, a vitest process that dies early) loses them when the process exits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();
let sweepOnExit = false;

/** A new folder under the system's temporary directory, named `<prefix>XXXXXX`, removed for you. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  if (!sweepOnExit) {
    sweepOnExit = true;
    process.once('exit', removeTempDirs);
  }
  return dir;
}

/** Removes every folder tempDir made in this process so far. */
export function removeTempDirs(): void {
  for (const dir of made) {
    rmSync(dir, { recursive: true, force: true });
    made.delete(dir);
  }
}
