// Every variable this worker reads, and every code it refuses a line or fails
// a delivery with, has its row in the README.
import { describeReadme } from '@dbfifo/test-utils';
import { webhookSpec } from './config.ts';
import { WEBHOOK_CODES } from './errors.ts';

describeReadme(new URL('../README.md', import.meta.url), { variables: Object.values(webhookSpec), codes: Object.keys(WEBHOOK_CODES) });
