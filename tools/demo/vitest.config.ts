import { defineConfig } from 'vitest/config';

// The npm start tests start every worker on a 2-core machine shared with everyone: one file at a time.
export default defineConfig({
  test: {
    include: ['src/**/*.spec.ts', 'tests/**/*.test.ts'],
    globalSetup: ['@dbfifo/test-utils/global-setup'],
    // Removes the temporary folders each test file made (tempDir) when the file ends.
    setupFiles: ['@dbfifo/test-utils/vitest-setup'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
