import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { auth, keys, personal, testApp } from '../helpers/app.ts';

describe('security headers', () => {
  let app: App;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => app.close());

  it('sends a strict CSP, nosniff, frame denial and no-store on personal answers and errors', async () => {
    for (const [url, headers, status] of [
      ['/v1/residents?kana=%E3%82%A2', personal(keys.counter), 200],
      ['/v1/residents?kana=%E3%82%A2', auth(keys.counter), 400],
      ['/v1/residents/nobody', personal(keys.counter), 404],
      ['/v1/imports', auth(keys.importer), 200],
    ] as const) {
      const res = await app.inject({ method: 'GET', url, headers });
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['cache-control'], url).toBe('no-store');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    expect(health.headers['cache-control']).toBeUndefined();
  });

  it('keeps /docs working under its CSP in a real browser', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
      });
      const res = await page.goto(`http://127.0.0.1:${port}/docs`);
      expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
      await page.waitForSelector('.swagger-ui .info .title', { timeout: 20_000 });
      expect(await page.textContent('.swagger-ui .info .title')).toContain('madoguchi-hub');
      await page.waitForSelector('.opblock-tag', { timeout: 20_000 });
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
