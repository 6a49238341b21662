// Public surface of @dbfifo/firewall-worker: what the deploy checks, the
// reliability suite and other packages use. Re-exports only; the backends,
// the command runner and the sync internals stay private to this package.
export { createFirewallWorker, firewallWorker, type FirewallWorker } from './worker.ts';
export { loadFirewallConfig, loadFirewallSettings, firewallSpec, type FirewallConfig, type FirewallSettings } from './config.ts';
export { parseDoorbell, type Doorbell } from './doorbell.ts';
export { normaliseAddress, type Address, type Family, type NormaliseOptions } from './address.ts';
export { RefusedAddressError, type RefusalCode } from './errors.ts';
export { createBackend } from './backends.ts';
export type { Backend, Ban } from './backend.ts';
