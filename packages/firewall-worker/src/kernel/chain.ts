// The dedicated chain both kernel backends hang their rules in, jumped to
// from a built-in chain. Created idempotently: `-S` to see whether the chain
// exists, `-C` before every `-A`/`-I`, so starting twice changes nothing.
import type { FirewallNames } from './backend.ts';
import { tables } from './backend.ts';
import type { Family } from './address.ts';
import type { Runner } from './exec.ts';

export async function ensureChain(run: Runner, family: Family, n: FirewallNames): Promise<void> {
  const t = tables[family];
  const exists = await run([t, '-w', '-S', n.chain], { check: true });
  if (!exists.ok) await run([t, '-w', '-N', n.chain]);
  await ensureRule(run, family, n.hookChain, ['-j', n.chain], true);
}

/** `-C` then `-A` (or `-I … 1` when `first`). Returns true when the rule was added. */
export async function ensureRule(run: Runner, family: Family, chain: string, rule: readonly string[], first = false): Promise<boolean> {
  const t = tables[family];
  const present = await run([t, '-w', '-C', chain, ...rule], { check: true });
  if (present.ok) return false;
  await run(first ? [t, '-w', '-I', chain, '1', ...rule] : [t, '-w', '-A', chain, ...rule]);
  return true;
}

export async function removeChain(run: Runner, family: Family, n: FirewallNames): Promise<void> {
  const t = tables[family];
  while ((await run([t, '-w', '-D', n.hookChain, '-j', n.chain], { check: true })).ok);
  await run([t, '-w', '-F', n.chain], { check: true });
  await run([t, '-w', '-X', n.chain], { check: true });
}
