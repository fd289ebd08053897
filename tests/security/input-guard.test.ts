import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { auth, keys, personal, testApp } from '../helpers/app.ts';
import { sampleBytes } from '../helpers/files.ts';

describe('characters no store can hold, and names that are paths, answer 400 problems', () => {
  let app: App;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => app.close());

  const expectProblem = (
    res: { statusCode: number; json(): unknown; headers: Record<string, unknown> },
    code: string,
  ) => {
    expect(res.statusCode, JSON.stringify(res.json())).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 400, code });
  };

  it('refuses a NUL in a query, a path or an X- header', async () => {
    for (const url of [
      '/v1/residents?kana=%00',
      '/v1/residents?name=a%00b',
      '/v1/residents/per%00x',
      '/v1/households/%00',
    ]) {
      expectProblem(
        await app.inject({ method: 'GET', url, headers: personal(keys.counter) }),
        'HUB_ERR_REQUEST_CHARACTER',
      );
    }
    expectProblem(
      await app.inject({
        method: 'GET',
        url: '/v1/residents?kana=%E3%82%A2',
        headers: personal(keys.counter, { 'x-purpose': '%E7%AA%93%00' }),
      }),
      'HUB_ERR_REQUEST_CHARACTER',
    );
  });

  it('refuses a lone surrogate or a NUL in a JSON body, keys included', async () => {
    for (const payload of [
      '{"lifeEvent":"tennyu\\ud800","identity":{"method":"other","verifiedBy":"s"},"consent":{"given":true},"subjects":{}}',
      '{"lifeEvent":"tennyu","identity":{"method":"other","verifiedBy":"a\\u0000"},"consent":{"given":true},"subjects":{}}',
      '{"\\udc00":1}',
    ]) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/visits',
        headers: auth(keys.counter, { 'content-type': 'application/json' }),
        payload,
      });
      expectProblem(res, 'HUB_ERR_REQUEST_CHARACTER');
    }
  });

  it('refuses __proto__ and constructor.prototype keys in a JSON body', async () => {
    for (const payload of ['{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}']) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/visits',
        headers: auth(keys.counter, { 'content-type': 'application/json' }),
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toMatch(/^HUB_ERR_/);
    }
  });

  it('refuses an X-File-Name that is a path, and imports nothing', async () => {
    for (const name of ['../../etc/passwd', '..', 'a/b.csv', 'a\\b.csv', '%2E%2E%2Fx.csv', 'x%0A.csv']) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/imports?adapter=juki-standard-csv',
        headers: auth(keys.importer, { 'content-type': 'application/octet-stream', 'x-file-name': name }),
        body: sampleBytes(),
      });
      expectProblem(res, 'HUB_ERR_FILE_NAME');
    }
    expect((await app.hub.imports.list(10, 0)).total).toBe(0);
  });
});
