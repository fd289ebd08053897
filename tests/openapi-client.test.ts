import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { auth, keys, testApp } from './helpers/app.ts';
import { root } from './helpers/files.ts';

const run = promisify(execFile);
const clientDir = path.join(root, 'tests', 'client');

describe('a client generated from openapi/openapi.json (openapi-typescript + openapi-fetch)', () => {
  let app: App;
  beforeAll(async () => {
    mkdirSync(path.join(clientDir, 'generated'), { recursive: true });
    // openapi-typescript needs TypeScript 5's compiler API: the hooks resolve it to typescript5.
    await run(process.execPath, [
      '--import',
      path.join(clientDir, 'typescript5-register.mjs'),
      path.join(root, 'node_modules', 'openapi-typescript', 'bin', 'cli.js'),
      path.join(root, 'openapi', 'openapi.json'),
      '-o',
      path.join(clientDir, 'generated', 'api.ts'),
    ]);
    app = await testApp();
  }, 60_000);
  afterAll(async () => app?.close());

  it('type-checks the 茅ヶ崎 flow written against it, with no cast', async () => {
    const flow = readFileSync(path.join(clientDir, 'chigasaki-flow.ts'), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    expect(flow).not.toMatch(/\bas\s+(?!const\b)[\w{[]/);
    expect(flow).not.toMatch(/[=(,]\s*<\w+>\s*[\w(]/);
    expect(flow).not.toMatch(/@ts-|any\b/);
    const tsc = path.join(root, 'node_modules', '.bin', 'tsc');
    const result = await run(tsc, ['-p', path.join(clientDir, 'tsconfig.json')]).catch(
      (e: { stdout: string }) => ({ stdout: e.stdout, failed: true }),
    );
    expect(result.stdout).toBe('');
  }, 60_000);

  it('runs the flow against the hub: files imported, forms accepted, one signature, the visit closed', async () => {
    const client = createClient({
      baseUrl: 'http://hub.invalid',
      headers: { authorization: `Bearer ${keys.admin.key}` },
      fetch: async (request: Request) => {
        const url = new URL(request.url);
        const res = await app.inject({
          method: request.method as 'GET' | 'POST',
          url: url.pathname + url.search,
          headers: Object.fromEntries(request.headers),
          payload: Buffer.from(await request.arrayBuffer()),
        });
        return new Response(res.rawPayload.length ? res.rawPayload : null, {
          status: res.statusCode,
          headers: Object.entries(res.headers).map(([k, v]) => [k, String(v)]),
        });
      },
    });
    const modulePath = path.join(clientDir, 'chigasaki-flow.ts');
    const { chigasakiFlow } = await import(modulePath);
    const file = (...p: string[]) => readFileSync(path.join(root, 'fixtures', ...p), 'utf8');
    const result = await chigasakiFlow(client, {
      certificateXml: file('tenshutsu-xml', 'chigasaki-family.xml'),
      jukiCsv: file('scenario-chigasaki', 'juki-after-tennyu.csv'),
      koukiCsv: file('scenario-chigasaki', 'kouki.csv'),
    });
    expect(result).toMatchObject({
      procedures: expect.arrayContaining(['juminidou', 'kouki', 'kaigo']),
      handoff: ['jidou-teate-seikyu-csv'],
      signatures: { perForm: 3, consolidated: 1 },
      sections: 5,
      closed: 'completed',
      refusedCode: 'HUB_ERR_VISIT_CLOSED',
    });
    expect(result.submissions).toHaveLength(5);
    expect(auth(keys.admin).authorization).toContain(keys.admin.key);
  }, 120_000);
});
