import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { type DemoData, demoBrokenTarget, seedDemo } from '../../src/cli/demo-data.ts';
import { keys, testApp } from '../helpers/app.ts';
import { root } from '../helpers/files.ts';

/** Screenshots kept as test artefacts (gitignored). */
const artefacts = path.join(root, 'test-results', 'console');
const chromiumPath = '/usr/bin/chromium';

describe('the operations console in a real browser (Debian chromium)', () => {
  let app: App;
  let demo: DemoData;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    if (!existsSync(chromiumPath))
      throw new Error(
        `${chromiumPath} is missing: apt-get install -y chromium fonts-ipafont-gothic (.ci/run does)`,
      );
    app = await testApp();
    demo = await seedDemo(app, {
      adminKey: keys.admin.key,
      brokenDir: path.join(mkdtempSync(path.join(tmpdir(), 'hub-browser-')), 'broken'),
    });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
    mkdirSync(artefacts, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('sends a page without a session to sign-in, and signs in with the keyboard back to it', async () => {
    await page.goto(`${base}/console/deliveries`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/console/deliveries');
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('f-key');
    await page.keyboard.type(keys.operator.key);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/console/deliveries`);
    expect(await page.locator('h1').textContent()).toBe('配信');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'hub_console')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
  });

  it('shows the dashboard with the dead delivery and the import with rejects (screenshot kept)', async () => {
    await page.goto(`${base}/console`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('本文へ移動');
    await expect.poll(() => page.locator('.card-bad').textContent()).toContain('停止した配信');
    expect(await page.locator('.card-bad .num').textContent()).toBe('1');
    const shot = path.join(artefacts, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  });

  it('finds the import with rejects, opens its rejects, and shows raw rows only for a purpose', async () => {
    await page.goto(`${base}/console/imports`);
    // Runs with rejected rows; once imports report `partial`, this is also status=partial.
    await page.selectOption('#f-rejects', 'yes');
    await page.getByRole('button', { name: '絞り込む' }).click();
    await page.getByRole('link', { name: demo.withRejects.file }).click();
    const rejects = page.locator('table.rejects tbody tr');
    await expect.poll(() => rejects.count()).toBe(2);
    expect(await rejects.first().textContent()).toContain('HUB_ERR_INVALID_DATE');
    expect(await page.content()).not.toContain('甲野');
    await page.getByLabel('元の行を表示する目的（監査ログに記録されます）').fill('却下理由の確認');
    await page.getByRole('button', { name: '元の行を表示' }).click();
    await expect.poll(() => page.locator('pre.raw').count()).toBe(2);
    expect(await page.locator('pre.raw').first().textContent()).toContain('甲野');
    await page.screenshot({ path: path.join(artefacts, 'rejects.png'), fullPage: true });
  });

  it('finds the dead delivery, redelivers it after the target is fixed, and sees it delivered', async () => {
    await page.goto(`${base}/console`);
    await page.locator('.cards .card-bad a').click();
    const row = page.locator('table.deliveries tbody tr');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('停止');
    expect(await row.locator('td.err').textContent()).toMatch(/EEXIST|ENOTDIR/);
    await page.screenshot({ path: path.join(artefacts, 'deliveries-dead.png'), fullPage: true });
    rmSync(demo.brokenPath!, { force: true });
    await row.getByRole('button', { name: /再送/ }).click();
    await expect
      .poll(() => page.locator('.notice').textContent())
      .toContain('1 件の配信を再送待ちに戻しました');
    expect(await app.hub.dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    await page.goto(`${base}/console/deliveries?target=${demoBrokenTarget}&status=delivered`);
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('配信済');
    await page.goto(`${base}/console`);
    expect(await page.locator('.cards .num').first().textContent()).toBe('0');
    await page.screenshot({ path: path.join(artefacts, 'dashboard-after.png'), fullPage: true });
  });

  it('signs out, after which the console asks for a sign-in again', async () => {
    await page.getByRole('button', { name: 'サインアウト' }).click();
    await page.waitForURL(/\/console\/sign-in/);
    await page.goto(`${base}/console/jobs`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
  });
});
