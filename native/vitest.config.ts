import { defineConfig } from 'vitest/config';

// The integration tests share the one local MariaDB (fifo.so loaded from
// native/build by tools/stack) with every other package: one file at a time.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Starts the shared local stack unless it is up already.
    globalSetup: ['@dbfifo/test-utils/global-setup'],
    // Removes the temporary folders each test file made (tempDir) when the file ends.
    setupFiles: ['@dbfifo/test-utils/vitest-setup'],
  },
});
