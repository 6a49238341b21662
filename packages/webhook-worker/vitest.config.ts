import { defineConfig } from 'vitest/config';

// Integration tests share the one local MariaDB and a 2-core machine: run files one at a time.
export default defineConfig({
  test: {
    include: ['src/**/*.spec.ts', 'tests/**/*.test.ts'],
    // Starts the shared local stack (MariaDB with fifo.so, Redis) unless it is up already.
    globalSetup: ['@dbfifo/test-utils/global-setup'],
    // Removes the temporary folders each test file made (tempDir) when the file ends.
    setupFiles: ['@dbfifo/test-utils/vitest-setup'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
