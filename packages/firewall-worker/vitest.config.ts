import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['../test-utils/src/global-setup.ts'],
    // Suites create network namespaces and share one MariaDB: one file at a time.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
