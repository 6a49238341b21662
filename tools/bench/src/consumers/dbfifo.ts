// dbfifo itself: fifo-core's startWorker on the pipe the trigger rings, in
// direct mode (handler in-process) or queue mode (relay into BullMQ, consumer
// in the same process). Handler entry is what is timed; direct mode also
// times when the handler has re-read its row (waitForRow), because the
// doorbell rings before COMMIT.
import mysql from 'mysql2/promise';
import { loadCore, startCoreWorker, type CoreWorker } from '../fifo-core.ts';
import type { Consumer } from './types.ts';

export interface DbfifoOptions {
  mode: 'direct' | 'queue';
  pipe: string;
  pipeDir: string;
  redisUrl: string;
  databaseUrl: string;
  /** Called when the handler sees its row (direct mode only). */
  onVisible?: (id: number) => void;
}

export function dbfifo(o: DbfifoOptions): Consumer {
  let worker: CoreWorker | undefined;
  let pool: mysql.Pool | undefined;
  const consumer: Consumer = {
    name: `dbfifo ${o.mode}`,
    async start(onSeen) {
      const core = await loadCore();
      if (!core) {
        consumer.note = 'skipped: fifo-core startWorker is not available yet';
        return;
      }
      const waitForRow = (core as unknown as { waitForRow?: <R>(f: () => Promise<R | undefined>) => Promise<R | undefined> }).waitForRow;
      if (o.onVisible && waitForRow) pool = mysql.createPool({ uri: o.databaseUrl, connectionLimit: 8 });
      worker = startCoreWorker(core, {
        name: `bench-${o.mode}`,
        pipe: o.pipe,
        pipeDir: o.pipeDir,
        mode: o.mode,
        redisUrl: o.redisUrl,
        databaseUrl: o.databaseUrl,
        handle: async (m) => {
          const id = Number((m.json as { id?: unknown } | undefined)?.id);
          onSeen(id);
          if (pool && waitForRow) {
            const row = await waitForRow(async () => {
              const [rows] = (await pool!.query('SELECT id FROM events WHERE id = ?', [id])) as unknown as [{ id: number }[]];
              return rows[0];
            });
            if (row) o.onVisible!(id);
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
