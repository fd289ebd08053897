import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { useMemoryTemplate } from '../../src/store/memory-template.ts';

// Every in-memory hub of this test file starts from the run's migrated folder.
useMemoryTemplate(new Blob([readFileSync(inject('pgliteTemplate'))]));
