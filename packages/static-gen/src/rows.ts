// Every query static-gen runs, on the `news` table. Times come back as
// integer microseconds since the epoch (UNIX_TIMESTAMP), so no session time
// zone or driver Date conversion can shift them, and a page's mtime can equal
// its row's updated_at.
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { createPool, readCommittedMany, type DatabaseConfig, type ReadCommittedOutcome } from '@dbfifo/fifo-core';

export interface ArticleRow {
  id: number;
  slug: string;
  title: string;
  summary: string;
  body: string;
  author: string;
  status: 'draft' | 'published';
  publishedUs: number | null;
  updatedUs: number;
  version: number;
}

export type ArticleSummary = Omit<ArticleRow, 'body' | 'status' | 'version'>;
export interface Stamp { id: number; slug: string; updatedUs: number }
export interface CommittedVersion { id: number; version: number }

const US = (col: string) => `CAST(UNIX_TIMESTAMP(${col}) * 1000000 AS UNSIGNED)`;
const FULL = `id, slug, title, summary, body, author, status, version,
  ${US('published_at')} AS publishedUs, ${US('updated_at')} AS updatedUs`;
const SUMMARY = `id, slug, title, summary, author, ${US('published_at')} AS publishedUs, ${US('updated_at')} AS updatedUs`;

function toRow(r: RowDataPacket): ArticleRow {
  return {
    id: Number(r.id),
    slug: String(r.slug),
    title: String(r.title),
    summary: String(r.summary ?? ''),
    body: String(r.body ?? ''),
    author: String(r.author ?? ''),
    status: r.status === 'published' ? 'published' : 'draft',
    publishedUs: r.publishedUs === null ? null : Number(r.publishedUs),
    updatedUs: Number(r.updatedUs),
    version: Number(r.version),
  };
}

const toStamp = (r: RowDataPacket): Stamp => ({ id: Number(r.id), slug: String(r.slug), updatedUs: Number(r.updatedUs) });

export class NewsRows {
  constructor(readonly pool: Pool) {}

  static open(db: DatabaseConfig, connectionLimit: number): NewsRows {
    return new NewsRows(createPool(db, { connectionLimit }));
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  /**
   * The committed version of each article a batch names, in one locking read
   * that waits for the writers (a trigger rings before COMMIT): 'committed',
   * 'absent' (rolled-back insert, committed delete), 'timeout' (a writer still
   * open after timeoutMs) or 'aborted' (shutdown).
   */
  committedVersions(ids: readonly number[], o: { timeoutMs: number; signal?: AbortSignal }): Promise<Map<number, ReadCommittedOutcome<CommittedVersion>>> {
    return readCommittedMany<number, CommittedVersion>(this.pool, 'SELECT id, version FROM news WHERE id IN (?)', ids, (r) => Number(r.id), o);
  }

  async article(id: number): Promise<ArticleRow | undefined> {
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT ${FULL} FROM news WHERE id = ?`, [id]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async articles(ids: readonly number[]): Promise<ArticleRow[]> {
    if (ids.length === 0) return [];
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT ${FULL} FROM news WHERE id IN (?)`, [ids]);
    return rows.map(toRow);
  }

  /** The index page: latest `limit` published articles, newest first. */
  async latest(limit: number): Promise<ArticleSummary[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT ${SUMMARY} FROM news WHERE status = 'published' ORDER BY published_at DESC, id DESC LIMIT ?`,
      [limit],
    );
    return rows.map((r) => ({ ...toRow(r) }));
  }

  async sitemap(limit: number): Promise<Stamp[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT id, slug, ${US('updated_at')} AS updatedUs FROM news
       WHERE status = 'published' ORDER BY published_at DESC, id DESC LIMIT ?`,
      [limit],
    );
    return rows.map(toStamp);
  }

  /** Every published article's id, slug and update time (reconcile's view of the truth). */
  async publishedStamps(): Promise<Stamp[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT id, slug, ${US('updated_at')} AS updatedUs FROM news WHERE status = 'published' ORDER BY id`,
    );
    return rows.map(toStamp);
  }

  /** Which of these slugs belong to a published article right now. */
  async publishedSlugsAmong(slugs: readonly string[]): Promise<Set<string>> {
    if (slugs.length === 0) return new Set();
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT slug FROM news WHERE status = 'published' AND slug IN (?)`, [slugs]);
    return new Set(rows.map((r) => String(r.slug)));
  }
}
