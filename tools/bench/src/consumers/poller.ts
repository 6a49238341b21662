// Polling an outbox table (filled by the same trigger) every `intervalMs`:
// the usual alternative to dbfifo. One query per tick, cursor on the id.
import mysql from 'mysql2/promise';
import type { Consumer } from './types.ts';

export function poller(url: string, intervalMs: number): Consumer {
  let conn: mysql.Connection | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let cursor = 0;
  return {
    name: `polling every ${intervalMs >= 1000 ? `${intervalMs / 1000} s` : `${intervalMs} ms`}`,
    async start(onSeen) {
      conn = await mysql.createConnection({ uri: url });
      const [[row]] = (await conn.query('SELECT COALESCE(MAX(id), 0) AS m FROM outbox')) as unknown as [[{ m: number }]];
      cursor = Number(row.m);
      const tick = async () => {
        if (stopped) return;
        const [rows] = (await conn!.query('SELECT id, event_id FROM outbox WHERE id > ? ORDER BY id LIMIT 5000', [cursor])) as unknown as [
          { id: number; event_id: number }[],
        ];
        for (const r of rows) {
          onSeen(Number(r.event_id));
          cursor = Number(r.id);
        }
        if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
      };
      timer = setTimeout(() => void tick(), intervalMs);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await conn?.end();
    },
  };
}
