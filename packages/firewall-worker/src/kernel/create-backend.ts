// The backend FIREWALL_BACKEND names (the interface is backend.ts), with
// every command's outcome counted and logged.
import type { Logger } from '@dbfifo/fifo-core';
import type { Backend, FirewallNames } from './backend.ts';
import type { FirewallSettings } from '../config.ts';
import { DryRunBackend } from './dry-run.ts';
import { createRunner, netnsPrefix, type Runner } from './exec.ts';
import { IpsetBackend } from './ipset.ts';
import { IpsetSession } from './ipset-session.ts';
import { IptablesBackend } from './iptables.ts';

export interface CommandStats {
  commands: number;
  failures: number;
}

export function namesFrom(f: FirewallSettings): FirewallNames {
  return { chain: f.chain, hookChain: f.hookChain, target: f.target, setPrefix: f.setPrefix, maxElements: f.maxElements, allowCidr: f.allowCidr };
}

export function createBackend(f: FirewallSettings, log: Logger, stats: CommandStats = { commands: 0, failures: 0 }): Backend {
  if (f.backend === 'dry-run') return new DryRunBackend(log);
  const onCommand = (argv: readonly string[], ok: boolean, ms: number, check = false) => {
    stats.commands++;
    // A failing `-C`/`-S` probe is an answer, not a failure.
    if (!ok && !check) stats.failures++;
    log.debug({ argv: argv.slice(0, 8), ok, check, ms: Math.round(ms * 10) / 10 }, 'firewall command');
  };
  const run: Runner = createRunner({ netns: f.netns, timeoutMs: f.commandTimeoutMs, onCommand });
  if (f.backend === 'iptables') return new IptablesBackend(run, namesFrom(f));
  const session = new IpsetSession({ prefix: netnsPrefix(f.netns), timeoutMs: f.commandTimeoutMs, onCommand });
  return new IpsetBackend(run, namesFrom(f), session);
}
