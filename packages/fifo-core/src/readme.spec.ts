// Every variable the runtime (and the dbfifo CLI) reads, and every reason it
// sets a line aside for, has its row in the README.
import { describeReadme } from '@dbfifo/test-utils';
import { DEAD_LETTER_REASONS } from './codes.ts';
import { databaseSpec, runtimeSpec, triggerCliSpec } from './config.ts';

describeReadme(new URL('../README.md', import.meta.url), {
  variables: [...Object.values(runtimeSpec), ...Object.values(databaseSpec), ...Object.values(triggerCliSpec)],
  codes: Object.keys(DEAD_LETTER_REASONS),
});
