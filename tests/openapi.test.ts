import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { mappingSchemaFiles, openApiText } from '../src/cli/generate.ts';
import { testApp } from './helpers/app.ts';
import { root } from './helpers/files.ts';

describe('generated contracts', () => {
  let app: App;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => app.close());

  it('openapi/openapi.json matches the routes (run `npm run generate` after a change)', async () => {
    const committed = readFileSync(path.join(root, 'openapi', 'openapi.json'), 'utf8');
    expect(await openApiText(app)).toBe(committed);
  });

  it('documents every contract path with problem responses', async () => {
    const doc = JSON.parse(await openApiText(app));
    for (const p of [
      '/v1/imports',
      '/v1/imports/{id}',
      '/v1/imports/{id}/rejects',
      '/v1/residents',
      '/v1/residents/{id}',
      '/v1/households/{id}',
      '/healthz',
      '/readyz',
      '/metrics',
    ]) {
      expect(doc.paths[p], p).toBeDefined();
    }
    expect(doc.paths['/v1/residents'].get.responses['401'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/Problem',
    );
    expect(doc.components.schemas.Person.properties.birthDate).toBeDefined();
  });

  for (const [name, make] of Object.entries(mappingSchemaFiles)) {
    it(`mappings/schema/${name} matches src/mapping/schema.ts`, () => {
      expect(make()).toBe(readFileSync(path.join(root, 'mappings', 'schema', name), 'utf8'));
    });
  }
});
