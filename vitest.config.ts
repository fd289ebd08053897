import { defineConfig } from 'vitest/config';

// In CI, also write a JSON report so that .ci/run can print a plain `N passed, N failed` line.
const jsonOut = process.env.VITEST_JSON_OUT;

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    // Test files share their worker process (each still builds its own hubs and databases): the
    // hub's modules load once per worker instead of once per file, a quarter off the suite.
    isolate: false,
    // One migrated in-memory PGlite for the run; each test file's databases start from it.
    globalSetup: ['tests/setup/pglite-template.global.ts'],
    setupFiles: ['tests/setup/pglite-template.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: jsonOut ? ['default', ['json', { outputFile: jsonOut }]] : ['default'],
  },
});
