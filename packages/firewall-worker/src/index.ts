// Public surface of @dbfifo/firewall-worker: what the deploy checks, the
// reliability suite and other packages use. Re-exports only; the backends,
// the command runner and the sync internals stay private to this package.
export { createFirewallWorker, firewallWorker, FIREWALL_DEFAULTS, type FirewallWorker } from './worker.ts';
export { loadFirewallConfig, loadFirewallSettings, firewallSpec, type FirewallConfig, type FirewallSettings } from './config.ts';
export { parseBlacklistLine, type BlacklistLine } from './line.ts';
export { normaliseAddress, type Address, type Family, type NormaliseOptions } from './kernel/address.ts';
export { RefusedAddressError, CommandError, FIREWALL_CODES, type RefusalCode } from './errors.ts';
export { createBackend } from './kernel/create-backend.ts';
export type { Backend, Ban } from './kernel/backend.ts';
