// Binlog change-data-capture with @vlasky/zongji on the same server: the
// server streams ROW events to a replica-like client (REPLICATION SLAVE).
import ZongJi, { type AnyBinlogEvent } from '@vlasky/zongji';
import type { Consumer } from './types.ts';

export function binlog(adminUrl: string, database: string, table: string): Consumer {
  let zongji: ZongJi | undefined;
  return {
    name: 'binlog CDC (zongji)',
    async start(onSeen) {
      const u = new URL(adminUrl);
      const z = new ZongJi({ host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) });
      zongji = z;
      const ready = new Promise<void>((resolve, reject) => {
        z.on('ready', () => resolve());
        z.on('error', (e: Error) => reject(e));
      });
      z.on('binlog', (evt: AnyBinlogEvent) => {
        if (evt.getEventName() !== 'writerows') return;
        for (const row of (evt as unknown as { rows: Record<string, unknown>[] }).rows) onSeen(Number(row.id));
      });
      z.start({
        startAtEnd: true,
        serverId: 1000 + (process.pid % 1000),
        includeEvents: ['tablemap', 'writerows'],
        includeSchema: { [database]: [table] },
      });
      await ready;
    },
    async stop() {
      zongji?.stop();
    },
  };
}
