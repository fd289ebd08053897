import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { errorDocsText } from '../src/cli/error-docs.ts';
import { mappingSchemaFiles, openApiText } from '../src/cli/generate.ts';
import { errorCatalog } from '../src/errors.ts';

interface Param {
  in: string;
  name: string;
  required?: boolean;
}

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
    expect(
      doc.paths['/v1/residents'].get.responses['401'].content['application/problem+json'].schema.$ref,
    ).toBe('#/components/schemas/Problem');
    expect(doc.components.schemas.Person.properties.birthDate).toBeDefined();
  });

  it('gives every operation an operationId, optional paging and the headers the hub reads', async () => {
    const doc = JSON.parse(await openApiText(app));
    const ids = new Set<string>();
    for (const [p, item] of Object.entries<Record<string, { operationId?: string; parameters?: Param[] }>>(
      doc.paths,
    )) {
      for (const [method, op] of Object.entries(item)) {
        expect(op.operationId, `${method} ${p}`).toMatch(/^[a-z][A-Za-z]+$/);
        expect(ids.has(op.operationId!), op.operationId).toBe(false);
        ids.add(op.operationId!);
        for (const param of op.parameters ?? []) {
          if (param.name === 'limit' || param.name === 'offset')
            expect(param.required, `${p} ${param.name}`).toBe(false);
        }
        if (p.startsWith('/v1/'))
          expect(
            op.parameters?.some((x) => x.in === 'header' && x.name === 'x-staff-id'),
            p,
          ).toBe(true);
      }
    }
    const submit = doc.paths['/v1/visits/{id}/submissions'].post;
    expect(submit.parameters.find((x: Param) => x.name === 'idempotency-key').required).toBe(true);
    expect(Object.keys(doc.paths['/v1/imports'].post.requestBody.content)).toEqual(
      expect.arrayContaining(['application/octet-stream', 'text/csv', 'application/xml']),
    );
    expect(doc.servers[0].url).toMatch(/^http/);
    expect(doc.components.schemas.ErrorCode.anyOf.length).toBeGreaterThanOrEqual(50);
    expect(doc.components.schemas.Visit.properties.subjects.$ref).toBe('#/components/schemas/VisitSubjects');
  });

  it('docs/errors.md has a section for every code of the catalog (run `npm run generate`)', () => {
    const committed = readFileSync(path.join(root, 'docs', 'errors.md'), 'utf8');
    expect(errorDocsText()).toBe(committed);
    for (const code of Object.keys(errorCatalog)) expect(committed).toContain(`### ${code}\n`);
  });

  for (const [name, make] of Object.entries(mappingSchemaFiles)) {
    it(`mappings/schema/${name} matches src/mapping/schema.ts`, () => {
      expect(make()).toBe(readFileSync(path.join(root, 'mappings', 'schema', name), 'utf8'));
    });
  }
});
