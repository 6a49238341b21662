// Writers as a busy application is: N connections, each inserting one row per
// autocommit statement as fast as the server answers, for a while. Each
// INSERT's time is kept: a consumer must never show up in it.
import type { Connection } from 'mysql2/promise';

export interface FlatOutResult {
  rows: number;
  /** Milliseconds per INSERT, in the order they finished. */
  ms: number[];
}

/** `sql` takes one parameter, a number unique per INSERT (default: `INSERT INTO items (v) VALUES (?)`). */
export async function insertFlat(connect: () => Promise<Connection>, o: { connections: number; seconds: number; sql?: string }): Promise<FlatOutResult> {
  const conns = await Promise.all(Array.from({ length: o.connections }, connect));
  const ms: number[] = [];
  const end = Date.now() + o.seconds * 1000;
  try {
    await Promise.all(
      conns.map(async (c, lane) => {
        for (let i = 0; Date.now() < end; i++) {
          const t0 = performance.now();
          await c.query(o.sql ?? 'INSERT INTO items (v) VALUES (?)', [lane * 1e7 + i]);
          ms.push(performance.now() - t0);
        }
      }),
    );
  } finally {
    await Promise.all(conns.map((c) => c.end().catch(() => {})));
  }
  return { rows: ms.length, ms };
}
