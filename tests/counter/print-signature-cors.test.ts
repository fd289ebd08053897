import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { auth, keys, testApp } from '../helpers/app.ts';
import { openChigasakiVisit } from '../helpers/visit.ts';

/** A 1×1 PNG (fictitious signature). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

describe('print views and the signature image', () => {
  let app: App;
  let visitId: string;
  let submissionId: string;

  beforeAll(async () => {
    app = await testApp();
    visitId = await openChigasakiVisit(app);
    const res = await app.inject({
      method: 'POST',
      url: `/v1/visits/${visitId}/submissions`,
      headers: auth(keys.admin, { 'idempotency-key': 'print-1' }),
      payload: {
        formId: 'juminidou',
        values: { newBuilding: '<b>茅ヶ崎</b>ハイツ' },
        confirmedBy: 'staff-1',
      },
    });
    expect(res.statusCode).toBe(202);
    submissionId = res.json().id;
  });
  afterAll(async () => app.close());

  it('prints a prefilled form as an A4 HTML page with blank boxes and a signature box, escaping values', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/visits/${visitId}/forms/juminidou/print`,
      headers: auth(keys.admin),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = res.body;
    expect(html).toContain('size: A4');
    expect(html).toContain('<h1>住民異動届</h1>');
    expect(html).toContain('山田　太郎');
    expect(html).toContain('&lt;b&gt;茅ヶ崎&lt;/b&gt;ハイツ');
    expect(html).not.toContain('<b>茅ヶ崎');
    expect(html).toContain('<div class="signature">届出人署名</div>');
    expect(html).toContain('昭和55年4月1日');
  });

  it('prints the consolidated application with every accepted form and one signature box', async () => {
    const signed = await app.inject({
      method: 'POST',
      url: `/v1/visits/${visitId}/consolidated`,
      headers: auth(keys.admin),
      payload: { confirmedBy: 'staff-1', method: 'paper' },
    });
    expect(signed.statusCode).toBe(201);
    expect(signed.json().sections).toHaveLength(1);
    const res = await app.inject({
      method: 'GET',
      url: `/v1/visits/${visitId}/consolidated/print`,
      headers: auth(keys.admin),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>まとめて申請書</h1>');
    expect(res.body).toContain('<h2>住民異動届</h2>');
    expect(res.body.match(/class="signature"/g)).toHaveLength(1);
  });

  it('keeps a PNG signature with the submission and gives it back', async () => {
    const put = await app.inject({
      method: 'PUT',
      url: `/v1/submissions/${submissionId}/signature`,
      headers: auth(keys.admin, { 'content-type': 'image/png' }),
      payload: PNG,
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().signatureImage).toMatchObject({ width: 1, height: 1, bytes: PNG.length });
    const get = await app.inject({
      method: 'GET',
      url: `/v1/submissions/${submissionId}/signature`,
      headers: auth(keys.admin),
    });
    expect(get.headers['content-type']).toBe('image/png');
    expect(get.rawPayload.equals(PNG)).toBe(true);
  });

  it('refuses what is not a PNG and a PNG over the size limit', async () => {
    const notPng = await app.inject({
      method: 'PUT',
      url: `/v1/submissions/${submissionId}/signature`,
      headers: auth(keys.admin, { 'content-type': 'image/png' }),
      payload: Buffer.from('GIF89a not a png at all, really not a png file here'),
    });
    expect(notPng.statusCode).toBe(422);
    expect(notPng.json().code).toBe('HUB_ERR_SIGNATURE_IMAGE');
    const huge = await app.inject({
      method: 'PUT',
      url: `/v1/submissions/${submissionId}/signature`,
      headers: auth(keys.admin, { 'content-type': 'image/png' }),
      payload: Buffer.concat([PNG, Buffer.alloc(300 * 1024)]),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().code).toBe('HUB_ERR_PAYLOAD_TOO_LARGE');
  });
});

describe('CORS per client origin', () => {
  const origin = 'https://counter.example.lg.jp';
  let app: App;
  let plain: App;

  beforeAll(async () => {
    app = await testApp({
      env: {
        HUB_API_KEYS: JSON.stringify([{ ...keys.counter, origins: [origin] }, keys.admin]),
      },
    });
    plain = await testApp();
  });
  afterAll(async () => {
    await app.close();
    await plain.close();
  });

  it('answers a preflight from a client’s origin, with the headers the hub reads', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/v1/visits',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,idempotency-key',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(origin);
    expect(String(res.headers['access-control-allow-headers'])).toContain('Idempotency-Key');
  });

  it('lets the key call from its origin and refuses another key or origin', async () => {
    const ok = await app.inject({
      method: 'GET',
      url: '/v1/visits',
      headers: auth(keys.counter, { origin }),
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(origin);
    const otherKey = await app.inject({
      method: 'GET',
      url: '/v1/visits',
      headers: auth(keys.admin, { origin }),
    });
    expect(otherKey.statusCode).toBe(403);
    expect(otherKey.json().code).toBe('HUB_ERR_ORIGIN_NOT_ALLOWED');
    const evil = await app.inject({
      method: 'GET',
      url: '/v1/visits',
      headers: auth(keys.counter, { origin: 'https://evil.example' }),
    });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    expect(evil.statusCode).toBe(403);
  });

  it('sends no CORS header at all when no key lists an origin (off by default)', async () => {
    const res = await plain.inject({
      method: 'GET',
      url: '/v1/visits',
      headers: auth(keys.counter, { origin }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
