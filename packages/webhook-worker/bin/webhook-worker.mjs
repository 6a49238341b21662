#!/usr/bin/env node
// `webhook-worker` command (package.json "bin"): runs src/cli.ts through tsx, no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
