import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/index.ts';
import { loadMappingCatalog } from '../../src/mapping/catalog.ts';
import type { MappingTestFile } from '../../src/mapping/schema.ts';
import { MappingTestFile as TestSchema } from '../../src/mapping/schema.ts';
import { loadYaml } from '../../src/mapping/yaml-file.ts';
import { root } from '../helpers/files.ts';

const mappingsDir = path.join(root, 'mappings');
const catalog = loadMappingCatalog(
  mappingsDir,
  adapters.map((a) => a.manifest.id),
);

function getPath(value: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], value);
}

const testFiles = readdirSync(mappingsDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.mapping.test.yaml'))
  .sort();

describe('mapping files', () => {
  it('load without issues', () => {
    expect(catalog.issues).toEqual([]);
    expect(testFiles.length).toBeGreaterThan(0);
  });

  for (const rel of testFiles) {
    const file = path.join(mappingsDir, rel);
    const { loaded } = loadYaml<MappingTestFile>(file, TestSchema);
    const adapter = path.dirname(rel);
    const entity = path.basename(rel).replace('.mapping.test.yaml', '');
    describe(rel, () => {
      for (const c of loaded?.value.cases ?? []) {
        it(c.name, () => {
          const mapping = catalog.catalog!.get(adapter, entity)!;
          const values: Record<string, string> = { ...loaded!.value.base };
          for (const [k, v] of Object.entries(c.input)) {
            if (v === null) delete values[k];
            else values[k] = v;
          }
          const result = mapping.apply(values);
          if (c.skip) {
            expect(result.kind).toBe('skip');
            return;
          }
          if (c.reject) {
            expect(result.kind).toBe('reject');
            if (result.kind !== 'reject') return;
            expect(result.problems[0]).toMatchObject(c.reject);
            return;
          }
          expect(result.kind === 'reject' ? result.problems : result.kind).toBe('record');
          if (result.kind !== 'record') return;
          for (const [p, expected] of Object.entries(c.expect ?? {})) {
            expect(getPath(result.record, p), p).toEqual(expected);
          }
          for (const p of c.absent ?? []) expect(getPath(result.record, p), p).toBeUndefined();
        });
      }
    });
  }
});
