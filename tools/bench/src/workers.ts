// Each worker's own benchmark (sms-worker, static-gen, firewall-worker, webhook-worker): how
// the worker scenario reruns it, which marked sections of its docs/bench/*.md
// docs/benchmarks.md includes, and its one headline figure. The sections are
// read from those files whenever the page is rendered (also with --docs-only),
// so the page always shows each worker's last saved run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './results.ts';

export interface WorkerBench {
  /** Short name, as in docs/bench/<name>.md. */
  name: string;
  /** npm workspace: `npm run bench -w <pkg>`. */
  pkg: string;
  /** The file its benchmark writes, relative to the repository. */
  doc: string;
  /** `<!-- bench:NAME -->` markers, in the order shown. */
  sections: string[];
  /** What it measures, in the issue's words. */
  measures: string;
  /** Where it was measured (the load is stated in its file). */
  where: string;
  /** Its headline sentence from the included sections, or undefined if they do not parse. */
  headline(sections: string[]): string | undefined;
}

/** A worker's benchmark as read from its file now. */
export interface WorkerFigures {
  bench: WorkerBench;
  /** Included sections, markers removed, in bench.sections order (missing ones left out). */
  sections: string[];
  missing: string[];
  /** When its run was, as its file says. */
  runDate?: string;
  /** Load average as its file states it outside the included sections (firewall-worker's header). */
  load?: string;
  headline?: string;
}

/** The text between `<!-- bench:<name> -->` and `<!-- /bench:<name> -->`, trimmed; undefined if the markers are missing. */
export function markedSection(doc: string, name: string): string | undefined {
  const m = doc.match(new RegExp(`<!-- bench:${name} -->([\\s\\S]*?)<!-- /bench:${name} -->`));
  return m?.[1]?.trim();
}

/** Cells of the body rows of every Markdown table in `text` (header and `---` rows left out). */
function tableRows(text: string): string[][] {
  const rows: string[][] = [];
  let header = true;
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      header = true;
      continue;
    }
    const cells = line.slice(1, line.endsWith('|') ? -1 : undefined).split('|').map((c) => c.trim());
    if (cells.every((c) => /^:?-+:?$/.test(c) || c === '')) continue;
    if (header) {
      header = false; // the first row of a table is its header
      continue;
    }
    rows.push(cells);
  }
  return rows;
}

const row = (rows: string[][], first: (cell: string) => boolean) => rows.find((r) => first(r[0] ?? ''));

export const WORKER_BENCHES: WorkerBench[] = [
  {
    name: 'sms-worker',
    pkg: '@dbfifo/sms-worker',
    doc: 'docs/bench/sms-worker.md',
    sections: ['sms'],
    measures: 'texts per second to the local Twilio-compatible API, and insert-to-API latency',
    where: "on the shared stack's MariaDB (`tools/stack`, a private database), with the worker, the local Twilio-compatible API (`tools/twilio-local`) and the inserting client in one Node process",
    headline([s]) {
      if (!s) return undefined;
      const rows = tableRows(s);
      const sends = row(rows, (c) => c.startsWith('sends/s'));
      const ratio = row(rows, (c) => c.startsWith('worker / SDK-alone'));
      const p50 = row(rows, (c) => c.startsWith('insert → API request, p50'));
      const p99 = row(rows, (c) => c.startsWith('insert → API request, p99'));
      const runs = s.match(/Median of (\d+) runs/)?.[1];
      if (!sends?.[1] || !p50?.[1] || !p99?.[1]) return undefined;
      const burst = sends[0]?.match(/([\d,]+) rows inserted/)?.[1];
      return `${sends[1]} texts/s to the local Twilio-compatible API with the rate limit off (${burst ? `a burst of ${burst} rows` : 'a burst of rows'}${runs ? `; median of ${runs} runs` : ''}${ratio?.[1] ? `; ${ratio[1]}× the twilio SDK alone` : ''}); INSERT → API request p50 ${p50[1]}, p99 ${p99[1]}.`;
    },
  },
  {
    name: 'static-gen',
    pkg: '@dbfifo/static-gen',
    doc: 'docs/bench/static-gen.md',
    sections: ['static-gen-single', 'static-gen-rebuild'],
    measures: 'single-article regeneration, and pages per second in a full rebuild',
    where: "on the `tools/stack` instance its run line names (`STATIC_BENCH_STACK`, `main` when unset), pages written to a temporary folder on the machine's disk, one writer process",
    headline([single, rebuild]) {
      if (!single || !rebuild) return undefined;
      const changed = row(tableRows(single), (c) => c.startsWith('changed, `STATIC_FSYNC=true`'));
      const empty = row(tableRows(rebuild), (c) => c.startsWith('rebuild into an empty folder'));
      const pages = (cell?: string) => cell?.match(/\(([\d,.]+) pages\/s\)/)?.[1];
      const articles = rebuild.match(/Full rebuild of ([\d,]+) articles/)?.[1];
      if (!changed?.[2] || !changed[5] || !pages(empty?.[1]) || !pages(empty?.[2])) return undefined;
      return `one article regenerated (row read, render, atomic write with fsync) in ${changed[2]} median, ${changed[5]} from one writer; full rebuild${articles ? ` of ${articles} articles` : ''} at ${pages(empty![1])} pages/s with fsync, ${pages(empty![2])} pages/s without.`;
    },
  },
  {
    name: 'firewall-worker',
    pkg: '@dbfifo/firewall-worker',
    doc: 'docs/bench/firewall-worker.md',
    sections: ['firewall-latency', 'firewall-bans'],
    measures: 'bans applied per second, and insert-to-kernel latency',
    where: "on the shared stack's MariaDB (`tools/stack`, a private database), every `ipset`/`iptables` command in a private network namespace (`nsenter --net`, which needs root)",
    headline([lat, bans]) {
      if (!lat || !bans) return undefined;
      const ipset = row(tableRows(lat), (c) => c === 'ipset');
      const rows = tableRows(bans);
      const burst = (backend: string) => rows.filter((r) => r[0] === backend && r[1]?.startsWith('doorbells'));
      const batch = (backend: string) => rows.filter((r) => r[0] === backend && r[1]?.startsWith('reconcile'));
      const ns = burst('ipset').map((r) => r[2]);
      const conns = burst('ipset')[0]?.[1]?.match(/\((\d+) connections\)/)?.[1];
      const per = (rs: string[][]) => rs.map((r) => r[4]).join(' / ');
      if (!ipset?.[1] || !ipset[2] || !ns.length) return undefined;
      return `${per(burst('ipset'))} bans/s with ipset (iptables ${per(burst('iptables')) || '–'}) for bursts of ${ns.join(' / ')} single-row INSERTs${conns ? ` from ${conns} connections` : ''}, until every ban is applied; one reconcile batch ${per(batch('ipset'))} bans/s (ipset); INSERT → address in the kernel p50 ${ipset[1]} ms, p99 ${ipset[2]} ms (ipset).`;
    },
  },
  {
    name: 'webhook-worker',
    pkg: '@dbfifo/webhook-worker',
    doc: 'docs/bench/webhook-worker.md',
    sections: ['webhook'],
    measures: 'deliveries per second to a local receiver that answers at once, as a ratio to a bare HTTP client',
    where: "on the shared stack's MariaDB (`tools/stack`, a private database), with the worker, the receiver and the inserting client in one Node process",
    headline([s]) {
      if (!s) return undefined;
      const rows = tableRows(s);
      const worker = row(rows, (c) => c.startsWith('deliveries/s'));
      const bare = row(rows, (c) => c.startsWith('reference: bare HTTP client'));
      const ratio = row(rows, (c) => c.startsWith('worker / bare-client'));
      const burst = worker?.[0]?.match(/([\d,]+) rows inserted/)?.[1];
      const runs = s.match(/Median of (\d+) runs/)?.[1];
      if (!worker?.[1] || !bare?.[1] || !ratio?.[1]) return undefined;
      return `${worker[1]} deliveries/s to a local receiver that answers at once (${burst ? `${burst} rows inserted` : 'a burst of rows'}${runs ? `; median of ${runs} runs` : ''}): ${ratio[1]}× a bare HTTP client posting the same bodies at the same concurrency (${bare[1]}/s).`;
    },
  },
];

export function readWorkerFigures(bench: WorkerBench): WorkerFigures {
  const file = join(repoRoot, bench.doc);
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const found = bench.sections.map((n) => markedSection(doc, n));
  const sections = found.filter((s): s is string => s !== undefined);
  const inside = sections.join('\n');
  const runDate = inside.match(/_Run (\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z)?)/)?.[1] ?? doc.match(/\bon (\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z)?)/)?.[1];
  const load = /load average/.test(inside) ? undefined : doc.match(/load average at the end ([\d.]+(?: \/ [\d.]+)*)/)?.[1];
  return {
    bench,
    sections,
    missing: bench.sections.filter((_, i) => found[i] === undefined),
    runDate,
    load,
    headline: bench.headline(found.map((s) => s ?? '')),
  };
}

export function readAllWorkerFigures(): WorkerFigures[] {
  return WORKER_BENCHES.map(readWorkerFigures);
}

/** Markdown headings moved `levels` down (## → #### for 2). */
export function demote(text: string, levels: number): string {
  return text.replace(/^(#{1,6}) /gm, (_, h: string) => `${'#'.repeat(Math.min(6, h.length + levels))} `);
}
