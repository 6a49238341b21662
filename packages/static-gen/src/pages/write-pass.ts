// How the pages of one pass reach the disk, and how a power loss in the
// middle of a pass is noticed afterwards.
//
// A rename makes a new page visible at once and survives a process crash:
// the page cache keeps every byte. Without an fsync it does not survive a
// power loss or kernel crash: the file system may commit the rename before
// the page's bytes, leaving an empty or truncated page under its final name
// (ext4's auto_da_alloc narrows that window on some mounts; nothing promises
// it). Three policies:
//
//   'each'  live batches (STATIC_FSYNC=true): every temp file is fsynced
//           before its rename, and each folder once after the batch, so a
//           doorbell counts as handled only once its page is durable.
//   'pass'  reconcile and rebuild (STATIC_FSYNC=true): no fsync per page.
//           Before its first write the pass leaves a durable "unsynced"
//           marker in the output folder; at its end one syncfs makes every
//           page durable, then the marker goes. A marker from an earlier
//           boot means a power loss cut a pass short: the next reconcile
//           renders every page from its row and compares bytes (an empty or
//           truncated page differs and is rewritten). The rows are the truth;
//           the marker only says when the disk may disagree with them.
//   'off'   STATIC_FSYNC=false: no fsync, no marker; atomic against a process
//           crash, not against a power loss.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { pidAlive, removeFile, syncDir, writeFileAtomic } from './atomic-write.ts';

export type SyncPolicy = 'each' | 'pass' | 'off';

const MARKER_PREFIX = '.static-gen.unsynced.';
const run = promisify(execFile);

/** Markers of passes running in this process (a marker with our pid that is not here was left by an earlier pass). */
const ours = new Set<string>();

let bootId: Promise<string> | undefined;
/** Changes at every boot: a marker from another boot outlived its process by a reboot, maybe a power loss. */
function currentBoot(): Promise<string> {
  return (bootId ??= readFile('/proc/sys/kernel/random/boot_id', 'utf8').then((s) => s.trim(), () => 'unknown'));
}

/**
 * syncfs(2) of the file system holding `path`, through coreutils' `sync
 * --file-system` (Node has no binding): every page and rename of the pass
 * reaches the disk in one call instead of one fsync per page. Falls back to
 * a plain `sync` of every file system only where `--file-system` is unknown.
 */
async function syncFileSystem(path: string): Promise<void> {
  try {
    await run('sync', ['--file-system', path]);
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '');
    if (!/unrecognized|invalid|unknown/i.test(stderr)) throw new Error(`sync --file-system ${path} failed: ${stderr.trim() || (err as Error).message}`, { cause: err });
    await run('sync', []);
  }
}

export class WritePass {
  private readonly dirs = new Set<string>();
  private marker: Promise<string> | undefined;
  private changed = false;

  constructor(
    private readonly outDir: string,
    readonly policy: SyncPolicy,
  ) {}

  /** fsync each temp file before its rename. */
  get fsyncEach(): boolean {
    return this.policy === 'each';
  }

  /** Before the first byte of a page is written: a 'pass' leaves its marker (durable) first. */
  beforeWrite = async (): Promise<void> => {
    if (this.policy === 'pass') await (this.marker ??= this.leaveMarker());
  };

  /** A page was written or removed in `path`'s folder. */
  touched(path: string): void {
    this.changed = true;
    this.dirs.add(dirname(path));
  }

  /** A 'pass' syncs the file system at its end even if it wrote nothing (to settle what a dead process left). */
  syncAtFinish(): void {
    this.changed = true;
  }

  /** Make what this pass changed durable (per its policy), then drop its marker. */
  async finish(): Promise<void> {
    const marker = this.marker;
    this.marker = undefined;
    const path = await marker?.catch(() => undefined);
    try {
      if (this.policy === 'each') {
        for (const dir of this.dirs) await syncDir(dir);
      } else if (this.policy === 'pass' && this.changed) {
        await syncFileSystem(this.outDir);
      }
    } catch (err) {
      if (path) ours.delete(path); // left in place: a later pass of this process settles it
      throw err;
    } finally {
      this.dirs.clear();
      this.changed = false;
    }
    if (path) {
      // Not synced: should this unlink be lost, a start after a reboot does one verify pass too many.
      await removeFile(path);
      ours.delete(path);
    }
  }

  private async leaveMarker(): Promise<string> {
    const path = join(this.outDir, `${MARKER_PREFIX}${process.pid}.${randomBytes(6).toString('hex')}`);
    ours.add(path);
    const note = 'static-gen: a pass writing pages without fsync; found after a reboot, the next reconcile compares every page with its row';
    // Written whole (temp + rename): another process never reads half a marker.
    await writeFileAtomic(path, `${JSON.stringify({ boot: await currentBoot(), pid: process.pid, at: new Date().toISOString(), note })}\n`, { fsync: true });
    await syncDir(this.outDir);
    return path;
  }
}

export interface UnsyncedMarkers {
  /** Left by a pass before a reboot: its pages may be empty or truncated; verify every page. */
  earlierBoot: string[];
  /** Left by a process that died in this boot: every byte is in the page cache; a sync settles them. */
  deadProcess: string[];
}

/** The markers in `outDir` that no running pass owns. */
export async function findUnsyncedMarkers(outDir: string): Promise<UnsyncedMarkers> {
  const found: UnsyncedMarkers = { earlierBoot: [], deadProcess: [] };
  const boot = await currentBoot();
  for (const name of await readdir(outDir).catch(() => [] as string[])) {
    if (!name.startsWith(MARKER_PREFIX)) continue;
    const path = join(outDir, name);
    if (ours.has(path)) continue;
    const m = await readFile(path, 'utf8').then((s) => JSON.parse(s) as { boot?: unknown; pid?: unknown }, () => ({ boot: undefined, pid: undefined }));
    const pid = Number.isSafeInteger(m.pid) && (m.pid as number) > 0 ? (m.pid as number) : undefined;
    if (boot === 'unknown' || m.boot !== boot) found.earlierBoot.push(path);
    else if (pid !== undefined && pid !== process.pid && pidAlive(pid)) continue; // another process's pass, still running
    else found.deadProcess.push(path);
  }
  return found;
}

/** Remove markers a finished pass has settled (its sync covered them). */
export async function clearUnsyncedMarkers(m: UnsyncedMarkers): Promise<void> {
  for (const path of [...m.earlierBoot, ...m.deadProcess]) await removeFile(path);
}
