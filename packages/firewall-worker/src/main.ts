// `nx run firewall-worker:serve`: configuration from the environment (README).
import { runMain } from '@dbfifo/fifo-core';
import { loadFirewallConfig } from './config.ts';
import { firewallWorker } from './worker.ts';

runMain(firewallWorker, loadFirewallConfig);
