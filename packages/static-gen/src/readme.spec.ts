// Every variable this worker reads, and every code it refuses or fails with,
// has its row in the README.
import path from 'node:path';
import { describeReadme, repoRoot } from '@dbfifo/test-utils';
import { previewSpec, staticSpec } from './config.ts';
import { STATIC_CODES } from './errors.ts';

describeReadme(new URL('../README.md', import.meta.url), {
  variables: Object.values({ ...staticSpec, ...previewSpec }),
  codes: Object.keys(STATIC_CODES),
  // The templates default is this package's folder: the README names it from the repository root.
  shownDefault: (def) => (path.isAbsolute(def) ? path.relative(repoRoot, def) : def),
});
