// Every query static-gen runs. Times come back as integer microseconds since
// the epoch (UNIX_TIMESTAMP), so no session time zone or driver Date
// conversion can shift them, and a page's mtime can equal its row's updated_at.
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { readCommittedOutcome } from '@dbfifo/fifo-core';

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

export async function fetchArticle(pool: Pool, id: number): Promise<ArticleRow | undefined> {
  const [rows] = await pool.query<RowDataPacket[]>(`SELECT ${FULL} FROM news WHERE id = ?`, [id]);
  return rows[0] ? toRow(rows[0]) : undefined;
}

export async function fetchArticles(pool: Pool, ids: readonly number[]): Promise<ArticleRow[]> {
  if (ids.length === 0) return [];
  const [rows] = await pool.query<RowDataPacket[]>(`SELECT ${FULL} FROM news WHERE id IN (?)`, [ids]);
  return rows.map(toRow);
}

/** The index page: latest `limit` published articles, newest first. */
export async function fetchLatest(pool: Pool, limit: number): Promise<ArticleSummary[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT ${SUMMARY} FROM news WHERE status = 'published' ORDER BY published_at DESC, id DESC LIMIT ?`,
    [limit],
  );
  return rows.map((r) => ({ ...toRow(r) }));
}

export async function fetchSitemap(pool: Pool, limit: number): Promise<Stamp[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT id, slug, ${US('updated_at')} AS updatedUs FROM news
     WHERE status = 'published' ORDER BY published_at DESC, id DESC LIMIT ?`,
    [limit],
  );
  return rows.map((r) => ({ id: Number(r.id), slug: String(r.slug), updatedUs: Number(r.updatedUs) }));
}

/** Every published article's id, slug and update time (reconcile's view of the truth). */
export async function publishedStamps(pool: Pool): Promise<Stamp[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT id, slug, ${US('updated_at')} AS updatedUs FROM news WHERE status = 'published' ORDER BY id`,
  );
  return rows.map((r) => ({ id: Number(r.id), slug: String(r.slug), updatedUs: Number(r.updatedUs) }));
}

/** Which of these slugs belong to a published article right now. */
export async function publishedSlugsAmong(pool: Pool, slugs: readonly string[]): Promise<Set<string>> {
  if (slugs.length === 0) return new Set();
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT slug FROM news WHERE status = 'published' AND slug IN (?)`,
    [slugs],
  );
  return new Set(rows.map((r) => String(r.slug)));
}

/**
 * The row's committed version, waiting for a writer that holds the row (the
 * trigger rings before COMMIT; a locking read waits for it, no polling delay):
 * null when there is no committed row (rolled-back insert, committed delete),
 * undefined when the writer was still open after timeoutMs.
 */
export async function fetchCommittedVersion(pool: Pool, id: number, o: { timeoutMs: number; signal?: AbortSignal }): Promise<number | null | undefined> {
  const r = await readCommittedOutcome<{ version: number }>(pool, `SELECT version FROM news WHERE id = ?`, [id], o);
  return r.state === 'committed' ? Number(r.row.version) : r.state === 'absent' ? null : undefined;
}
