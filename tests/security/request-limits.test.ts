import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import type { ApiKey } from '../../src/config/env.ts';
import { auth, keys, personal, testApp } from '../helpers/app.ts';
import { loadFromOtherProcess } from '../helpers/load-client.ts';
import { rawRequest } from '../helpers/raw-http.ts';

async function listening(env: Record<string, string>): Promise<{ app: App; port: number }> {
  const app = await testApp({ env });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.server.address() as AddressInfo).port };
}

const importHead = (length: string, extra = '') =>
  `POST /v1/imports?adapter=juki-standard-csv HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${keys.importer.key}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${length}\r\n${extra}\r\n`;

describe('bounded requests', () => {
  let app: App;
  let port: number;

  beforeAll(async () => {
    ({ app, port } = await listening({
      HUB_MAX_UPLOAD_BYTES: String(10 * 1024 * 1024),
      HUB_BODY_TIMEOUT_MS: '400',
      HUB_HEADERS_TIMEOUT_MS: '500',
      HUB_RATE_LIMIT_PER_MINUTE: '1000',
    }));
  });
  afterAll(async () => app.close());

  it('answers a declared 5 GB upload with 413 at once, without reading the body', async () => {
    const answer = await rawRequest(port, importHead('5368709120'));
    expect(answer.status).toBe(413);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'HUB_ERR_PAYLOAD_TOO_LARGE' });
    expect(answer.headers.connection).toBe('close');
    expect(answer.ms).toBeLessThan(2000);
  });

  it('answers a JSON body declared over the 1 MiB limit with 413 at once', async () => {
    const answer = await rawRequest(
      port,
      `POST /v1/visits HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${keys.counter.key}\r\nContent-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n{`,
    );
    expect(answer.status).toBe(413);
    expect(answer.ms).toBeLessThan(2000);
  });

  it('cuts a body trickled one byte at a time with 408', async () => {
    let timer: NodeJS.Timeout | undefined;
    const answer = await rawRequest(port, importHead('1000'), (socket) => {
      timer = setInterval(() => socket.writable && socket.write('a'), 100);
    });
    clearInterval(timer);
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'HUB_ERR_REQUEST_TIMEOUT', status: 408 });
    expect(answer.ms).toBeLessThan(3000);
  });

  it('cuts a body that stops coming with 408', async () => {
    const answer = await rawRequest(port, importHead('1000'), (socket) => socket.write('市区町村コード,'));
    expect(answer.status).toBe(408);
    expect(answer.ms).toBeLessThan(3000);
  });

  it('closes a connection whose headers never end (408 from Node)', async () => {
    const answer = await rawRequest(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    expect(answer.status).toBe(408);
    expect(answer.ms).toBeLessThan(4000);
  });
});

describe('rate limit and overload', () => {
  it('limits each client per minute with 429 and Retry-After, others and /healthz unaffected', async () => {
    const { app, port } = await listening({ HUB_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const get = (key: ApiKey) =>
        fetch(`http://127.0.0.1:${port}/v1/residents?kana=%E3%82%A2`, { headers: personal(key) });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await get(keys.counter)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await get(keys.counter);
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(limited.headers.get('content-type')).toContain('application/problem+json');
      expect(await limited.json()).toMatchObject({ status: 429, code: 'HUB_ERR_RATE_LIMITED' });
      expect((await get(keys.mynumber)).status).toBe(200);
      for (let i = 0; i < 5; i++) expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('answers 503 with Retry-After while the event loop is late, when HUB_MAX_EVENT_LOOP_DELAY_MS is set', async () => {
    const app = await testApp({ env: { HUB_MAX_EVENT_LOOP_DELAY_MS: '100' } });
    try {
      await app.ready();
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        // Busy: a stalled event loop, as a long synchronous task makes it.
      }
      await new Promise((r) => setTimeout(r, 50));
      const res = await app.inject({ method: 'GET', url: '/v1/adapters', headers: auth(keys.counter) });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toMatchObject({ code: 'HUB_ERR_OVERLOADED' });
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('answers 150 concurrent requests over the in-flight limit with 503 and Retry-After, never a reset', async () => {
    const { app, port } = await listening({ HUB_MAX_IN_FLIGHT: '2', HUB_RATE_LIMIT_PER_MINUTE: '100000' });
    try {
      const answers = await loadFromOtherProcess(
        `http://127.0.0.1:${port}/v1/residents?kana=%E3%82%A2`,
        150,
        personal(keys.counter),
      );
      const by = (s: number) => answers.filter((a) => a.status === s);
      expect(by(0)).toEqual([]);
      expect(by(200).length + by(503).length).toBe(150);
      expect(by(200).length).toBeGreaterThan(0);
      expect(by(503).length).toBeGreaterThan(0);
      for (const a of by(503))
        expect(a).toEqual({ status: 503, retryAfter: '5', code: 'HUB_ERR_OVERLOADED' });
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
