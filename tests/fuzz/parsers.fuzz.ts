import { describe, it } from 'vitest';
import { properties } from './properties.ts';

const runs = Number(process.env.FUZZ_RUNS ?? 10_000);

// `npm run fuzz`: every parser (csv, lines, decode, fixed-width, xml reader) and the mapping
// engine, 10,000 fast-check runs each unless FUZZ_RUNS says otherwise.
describe(`fuzz properties (${runs} runs each)`, () => {
  for (const p of properties) it(p.name, () => p.check(runs), 30 * 60_000);
});
