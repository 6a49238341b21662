import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Removes the temporary folders each test file made (tempDir) when the file ends.
    setupFiles: ['@dbfifo/test-utils/vitest-setup'],
    // Loading the lint computes Nx's project graph once: seconds on a cold cache.
    testTimeout: 60_000,
  },
});
