// The only file of firewall-worker that reads the environment (through
// fifo-core's typed fields). Every variable, its default and meaning: ../README.md.
import {
  collectConfig,
  ConfigError,
  env,
  loadConfig,
  loadDatabaseConfig,
  loadRuntimeConfig,
  type WorkerConfig,
} from '@dbfifo/fifo-core';
import { Allowlist } from './kernel/allowlist.ts';

export const firewallSpec = {
  backend: env.oneOf('FIREWALL_BACKEND', ['ipset', 'iptables', 'dry-run'] as const, { default: 'ipset', doc: 'ipset (sets + one rule per family), iptables (one rule per address) or dry-run (log only)' }),
  netns: env.string('FIREWALL_NETNS', { optional: true, doc: 'run every command inside this network namespace (`nsenter --net=/run/netns/<name> …`; tests, one namespace per tenant)' }),
  chain: env.string('FIREWALL_CHAIN', { default: 'DBFIFO', doc: 'dedicated chain holding the ban rules' }),
  hookChain: env.string('FIREWALL_HOOK_CHAIN', { default: 'INPUT', doc: 'built-in chain that jumps to FIREWALL_CHAIN (INPUT, FORWARD)' }),
  target: env.oneOf('FIREWALL_TARGET', ['DROP', 'REJECT'] as const, { default: 'DROP', doc: 'what happens to a banned packet' }),
  setPrefix: env.string('FIREWALL_SET_PREFIX', { default: 'dbfifo-ban', doc: 'ipset names are <prefix>-v4 and <prefix>-v6' }),
  maxElements: env.int('FIREWALL_SET_MAXELEM', { default: 262_144, min: 1024, doc: 'ipset maxelem per family' }),
  allowCidr: env.bool('FIREWALL_ALLOW_CIDR', { default: false, doc: 'accept a.b.c.d/n networks in the blacklist (ipset then uses hash:net)' }),
  allowlist: env.list('FIREWALL_ALLOWLIST', { default: [], doc: 'comma-separated addresses/networks never banned (loopback always is)' }),
  commandTimeoutMs: env.int('FIREWALL_COMMAND_TIMEOUT_MS', { default: 30_000, min: 100, doc: 'kill a firewall command that runs longer' }),
  burstGapMs: env.int('FIREWALL_BURST_GAP_MS', { default: 50, min: 0, max: 10_000, doc: 'after a kernel command for more than one address (a burst is under way), the next one waits this long, so a burst costs one command per gap (0 = no gap); a doorbell after a quiet moment is applied at once' }),
  rowWaitMs: env.int('FIREWALL_ROW_WAIT_MS', { default: 2000, min: 1, doc: 'how long a batch waits for the COMMIT of the rows its doorbells name; a row still uncommitted then is retried' }),
};

export type FirewallSettings = ReturnType<typeof loadConfig<typeof firewallSpec>>;

export interface FirewallConfig extends WorkerConfig {
  firewall: FirewallSettings;
}

const CHAIN = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,27}$/;
const SET_PREFIX = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,23}$/; // + "-v4-new" stays within ipset's 31 characters
const NETNS = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function loadFirewallSettings(source: NodeJS.ProcessEnv = process.env): FirewallSettings {
  const f = loadConfig(firewallSpec, source);
  const problems: string[] = [];
  if (!CHAIN.test(f.chain)) problems.push(`FIREWALL_CHAIN must be 1-28 of [A-Za-z0-9_-] (got ${JSON.stringify(f.chain)})`);
  if (!['INPUT', 'FORWARD'].includes(f.hookChain)) problems.push(`FIREWALL_HOOK_CHAIN must be INPUT or FORWARD (got ${JSON.stringify(f.hookChain)})`);
  if (!SET_PREFIX.test(f.setPrefix)) problems.push(`FIREWALL_SET_PREFIX must be 1-24 of [A-Za-z0-9_.-] (got ${JSON.stringify(f.setPrefix)})`);
  if (f.netns !== undefined && !NETNS.test(f.netns)) problems.push(`FIREWALL_NETNS is not a network namespace name (got ${JSON.stringify(f.netns)})`);
  for (const entry of f.allowlist) {
    try {
      new Allowlist([entry]);
    } catch (e) {
      problems.push(`FIREWALL_ALLOWLIST: ${(e as Error).message}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return f;
}

/** Whole worker config; throws one ConfigError naming every bad variable. */
export function loadFirewallConfig(source: NodeJS.ProcessEnv = process.env): FirewallConfig {
  return collectConfig({
    // The default pipe name; this worker's runtime defaults are on its definition (worker.ts).
    runtime: () => loadRuntimeConfig('firewall', source),
    db: () => loadDatabaseConfig(source),
    firewall: () => loadFirewallSettings(source),
  });
}
