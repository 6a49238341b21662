// Every variable this worker reads, and every refusal code a row's note or a
// warning can carry, has its row in the README.
import { describeReadme } from '@dbfifo/test-utils';
import { firewallSpec } from './config.ts';
import { FIREWALL_CODES } from './errors.ts';

describeReadme(new URL('../README.md', import.meta.url), { variables: Object.values(firewallSpec), codes: Object.keys(FIREWALL_CODES) });
