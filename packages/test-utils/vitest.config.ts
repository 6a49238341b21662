import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    setupFiles: ['@dbfifo/test-utils/vitest-setup'],
    testTimeout: 30_000,
  },
});
