// vitest globalSetup for suites that need MariaDB/Redis: brings the stack up
// once per test run (idempotent, so a second package's setup is quick).
import { ensureStack } from './stack-env.ts';

export default function setup(): void {
  ensureStack();
}
