import { defineConfig } from 'vitest/config';

// `npm run fuzz`: the fast-check properties with many runs; not part of `npm test`.
export default defineConfig({
  test: {
    include: ['tests/fuzz/**/*.fuzz.ts'],
    pool: 'forks',
    testTimeout: 30 * 60_000,
  },
});
