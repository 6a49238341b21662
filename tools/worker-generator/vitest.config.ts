import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['@dbfifo/test-utils/global-setup'],
    // Removes the temporary folders each test file made (tempDir) when the file ends.
    setupFiles: ['@dbfifo/test-utils/vitest-setup'],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
