import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { auth, keys, onPostgres, personal, testApp } from '../helpers/app.ts';

describe('auth, scopes and the purpose rule', () => {
  let app: App;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => app.close());

  it('answers 401 with a problem body without a key', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/residents?kana=コウノ' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      status: 401,
      code: 'HUB_ERR_UNAUTHORIZED',
      title: 'Unauthorized',
      instance: '/v1/residents',
    });
  });

  it('answers 401 for a percent-encoded spelling of a /v1 path too', async () => {
    // the router decodes %76 to v and matches /v1/residents: the key is still required
    const res = await app.inject({ method: 'GET', url: '/%761/residents?kana=a' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('HUB_ERR_UNAUTHORIZED');
  });

  it('answers 401 for an unknown key and for a malformed header', async () => {
    for (const authorization of ['Bearer not-a-key-at-all-000000', 'Basic abc', 'Bearer']) {
      const res = await app.inject({ method: 'GET', url: '/v1/adapters', headers: { authorization } });
      expect(res.statusCode, authorization).toBe(401);
      expect(res.json().code).toBe('HUB_ERR_UNAUTHORIZED');
    }
  });

  it('answers 403 naming the scope when the key lacks it', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/residents?kana=コウノ',
      headers: personal(keys.importer),
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'HUB_ERR_FORBIDDEN' });
    expect(res.json().detail).toContain('residents:read');
    const imports = await app.inject({ method: 'GET', url: '/v1/imports', headers: auth(keys.counter) });
    expect(imports.statusCode).toBe(403);
    const audit = await app.inject({ method: 'GET', url: '/v1/audit', headers: auth(keys.counter) });
    expect(audit.statusCode).toBe(403);
  });

  it('lets admin stand for every scope', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/audit', headers: auth(keys.admin) });
    expect(res.statusCode).toBe(200);
  });

  it('answers 400 for personal data without X-Visit-Id or X-Purpose', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/residents?kana=コウノ',
      headers: auth(keys.counter),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'HUB_ERR_PURPOSE_REQUIRED' });
    expect(res.json().detail).toContain('X-Purpose');
  });

  it('answers 400 for a visit id that is not this client’s', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/residents?kana=コウノ',
      headers: auth(keys.counter, { 'x-visit-id': 'vis_nope' }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'HUB_ERR_VISIT_UNKNOWN' });
  });

  it('answers a validation problem for a bad query', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/residents?birthDate=1980-13-01',
      headers: personal(keys.counter),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'HUB_ERR_VALIDATION' });
    expect(res.json().errors[0].field).toContain('birthDate');
  });

  it('answers a 404 problem for an unknown route', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/nothing-here', headers: auth(keys.admin) });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'HUB_ERR_ROUTE_NOT_FOUND' });
  });

  it('leaves health, readiness and docs open, and answers /metrics to admin only here', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().status).toBe('ready');
    // the PostgreSQL pass of .ci/run must really run on PostgreSQL
    expect(ready.json().database).toBe(onPostgres ? 'postgres' : 'pglite');
    expect((await app.inject('/metrics')).statusCode).toBe(401);
    const metrics = await app.inject({ url: '/metrics', headers: auth(keys.admin) });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('hub_http_requests_total');
    const docs = await app.inject('/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
    const spec = await app.inject('/openapi.json');
    expect(spec.json().openapi).toBe('3.1.0');
  });

  it('refuses to start with malformed HUB_API_KEYS', async () => {
    const { loadConfig } = await import('../../src/config/env.ts');
    expect(() => loadConfig({ HUB_API_KEYS: '[{"id":"x","key":"short","scopes":[]}]' })).toThrow(
      /HUB_API_KEYS/,
    );
    expect(() => loadConfig({ HUB_API_KEYS: 'not json' })).toThrow(/JSON/);
    expect(() =>
      loadConfig({ HUB_API_KEYS: '[{"id":"x","key":"0123456789abcdef","scopes":["root"]}]' }),
    ).toThrow(/HUB_API_KEYS/);
  });
});
