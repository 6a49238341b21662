import { defineConfig } from 'vitest/config';

// These suites start servers, namespaces and workers on a 2-core machine
// shared with everyone: one file at a time.
export default defineConfig({
  test: {
    // Removes the temporary folders each test file made (tempDir) when the file ends.
    setupFiles: ['@dbfifo/test-utils/vitest-setup'],
    include: ['tests/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
