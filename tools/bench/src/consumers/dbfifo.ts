// dbfifo itself: fifo-core's startWorker on the pipe the trigger rings, in
// direct mode (handler in-process) or queue mode (relay into BullMQ, consumer
// in the same process). Handler entry is what is timed; direct mode also
// times when the handler has its committed row, because the doorbell rings
// before COMMIT: by readCommitted (a locking read that waits for the COMMIT)
// and, side by side on the same doorbell, by waitForRow's polling re-reads with
// the old 5 ms and the new 1 ms first delay.
import mysql from 'mysql2/promise';
import { readCommitted, waitForRow, type RunningWorker } from '@dbfifo/fifo-core';
import { startCoreWorker } from '../fifo-core.ts';
import type { Consumer } from './types.ts';

export interface DbfifoOptions {
  mode: 'direct' | 'queue';
  pipe: string;
  pipeDir: string;
  redisUrl: string;
  databaseUrl: string;
  /** Called when the handler has its committed row, once per re-read variant (direct mode only). */
  onVisible?: (variant: RereadVariant, id: number) => void;
  /** Which re-reads to run (default all). */
  rereads?: readonly RereadVariant[];
}

/** How the handler re-reads its row; all run concurrently on each doorbell. */
export const REREAD_VARIANTS = ['readCommitted', 'waitForRow 1 ms', 'waitForRow 5 ms'] as const;
export type RereadVariant = (typeof REREAD_VARIANTS)[number];

export function dbfifo(o: DbfifoOptions): Consumer {
  let worker: RunningWorker | undefined;
  let pool: mysql.Pool | undefined;
  const consumer: Consumer = {
    name: `dbfifo ${o.mode}`,
    async start(onSeen) {
      if (o.onVisible) pool = mysql.createPool({ uri: o.databaseUrl, connectionLimit: 24 });
      const sql = 'SELECT id FROM events WHERE id = ?';
      const plain = (id: number) => async () => ((await pool!.query(sql, [id])) as unknown as [{ id: number }[]])[0][0];
      const variants: Record<RereadVariant, (id: number) => Promise<unknown>> = {
        readCommitted: (id) => readCommitted(pool!, sql, [id]),
        'waitForRow 1 ms': (id) => waitForRow(plain(id), { initialDelayMs: 1 }),
        'waitForRow 5 ms': (id) => waitForRow(plain(id), { initialDelayMs: 5 }),
      };
      worker = startCoreWorker({
        name: `bench-${o.mode}`,
        pipe: o.pipe,
        pipeDir: o.pipeDir,
        mode: o.mode,
        redisUrl: o.redisUrl,
        databaseUrl: o.databaseUrl,
        handle: async (m) => {
          const id = Number((m.json as { id?: unknown } | undefined)?.id);
          onSeen(id);
          if (pool) {
            await Promise.all(
              (o.rereads ?? REREAD_VARIANTS).map(async (v) => {
                if ((await variants[v](id)) !== undefined) o.onVisible!(v, id);
              }),
            );
          }
        },
      });
      await worker.ready;
    },
    async stop() {
      await worker?.stop();
      await pool?.end();
    },
  };
  return consumer;
}
