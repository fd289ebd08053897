import { describe, it } from 'vitest';
import { properties } from './properties.ts';

// The same properties as `npm run fuzz`, a few hundred runs each, so CI exercises them.
describe('fuzz properties (smoke: 200 runs each)', () => {
  for (const p of properties) it(p.name, () => p.check(200));
});
