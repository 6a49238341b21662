import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.spec.ts', 'tests/**/*.test.ts'],
    globalSetup: ['@dbfifo/test-utils/global-setup'],
    // Removes the temporary folders each test file made (tempDir) when the file ends.
    setupFiles: ['@dbfifo/test-utils/vitest-setup'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
