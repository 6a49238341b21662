// Like fastify's "every error code is documented", for every package: each
// variable a package reads has a row in its README (`| \`NAME\` | …`) that
// shows its default, and each code it refuses or fails with has a row too.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** What a variable looks like to this check: fifo-core's env fields are such. */
export interface DocumentedVariable {
  name: string;
  defaultText?: string;
}

export interface ReadmeExpectations {
  /** Variables whose row must show `default` (an empty default is written "(empty)"). */
  variables?: readonly DocumentedVariable[];
  /** Codes, reasons and other names that must each have a row. */
  codes?: readonly string[];
  /** How a default is written in the README when it differs from its text (a path shown relative). */
  shownDefault?(text: string): string;
}

/** Declares the tests: one per variable and one per code. */
export function describeReadme(readmeUrl: URL, o: ReadmeExpectations): void {
  const lines = readFileSync(readmeUrl, 'utf8').split('\n');
  const rowsOf = (name: string) => lines.filter((l) => l.startsWith(`| \`${name}\` |`));
  describe('README', () => {
    it.each((o.variables ?? []).map((f) => [f.name, f.defaultText] as const))('documents %s', (name, def) => {
      const rows = rowsOf(name);
      expect(rows.length, `a "| \`${name}\` |" row`).toBeGreaterThan(0);
      if (def === undefined) return;
      const shown = def === '' ? '(empty)' : `\`${o.shownDefault ? o.shownDefault(def) : def}\``;
      // A name may head more than one table (a backend comparison, say): its configuration row shows the default.
      expect(rows.some((r) => r.includes(shown)), `${name}'s row shows its default ${shown}: ${rows.join(' / ')}`).toBe(true);
    });
    it.each([...(o.codes ?? [])])('documents %s', (code) => {
      expect(rowsOf(code).length, `a "| \`${code}\` |" row`).toBeGreaterThan(0);
    });
  });
}
