import { defineConfig } from 'vitest/config';

// Integration tests share the one local MariaDB/Redis and a 2-core machine: run files one at a time.
export default defineConfig({
  test: {
    include: ['src/**/*.spec.ts', 'generators/**/*.spec.ts', 'tests/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Starts the shared local stack (MariaDB with fifo.so, Redis) unless it is up already.
    globalSetup: ['@dbfifo/test-utils/global-setup'],
    // Removes the temporary folders each test file made (tempDir) when the file ends.
    setupFiles: ['@dbfifo/test-utils/vitest-setup'],
  },
});
