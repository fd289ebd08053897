import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { decodeBytes } from '../src/parsers/decode.ts';
import {
  directPort,
  formatScenario,
  httpPort,
  runChigasakiScenario,
  type ScenarioResult,
} from '../src/scenario/chigasaki.ts';
import { auth, keys, testApp } from './helpers/app.ts';

describe('the 茅ヶ崎 family of six moving in, end to end through the HTTP API', () => {
  let app: App;
  let result: ScenarioResult;
  const get = async (url: string) =>
    (await app.inject({ method: 'GET', url, headers: auth(keys.admin) })).json();

  beforeAll(async () => {
    app = await testApp();
    result = await runChigasakiScenario(
      httpPort(async (method, url, body, headers = {}) => {
        const isBytes = body instanceof Uint8Array;
        const res = await app.inject({
          method: method as 'GET' | 'POST',
          url,
          headers: {
            ...auth(keys.admin),
            ...(body !== undefined && !isBytes ? { 'content-type': 'application/json' } : {}),
            ...headers,
          },
          ...(body !== undefined
            ? { payload: isBytes ? Buffer.from(body) : (body as Record<string, unknown>) }
            : {}),
        });
        return { status: res.statusCode, json: res.json() };
      }),
    );
  });
  afterAll(async () => app.close());

  it('leaves only signatures of 氏名・続柄・生年月日 to write: baseline ≥ 40, after ≤ 3', () => {
    expect(result.total.before).toBeGreaterThanOrEqual(40);
    expect(result.total.after).toBeLessThanOrEqual(3);
    expect(result.total.after).toBe(result.total.signatures);
    for (const row of result.rows) expect(row.after - row.signatures, `${row.group} ${row.category}`).toBe(0);
    const signaturesByGroup = result.rows.filter((r) => r.category === '氏名').map((r) => r.signatures);
    expect(signaturesByGroup).toEqual([1, 1, 1]);
  });

  it('prints 48 → 3 with a signature per form group and 48 → 1 with the consolidated application', () => {
    expect(result.total).toMatchObject({ before: 48, after: 3 });
    expect(result.consolidated).toEqual({ before: 48, after: 1, signatures: 1 });
    expect(formatScenario(result)).toContain('まとめて申請書（署名1回）          48 → 1');
  });

  it('keeps one file per core system with the consolidated application', async () => {
    const application = await get(`/v1/visits/${result.visitId}/consolidated`);
    expect(application.signature).toMatchObject({ method: 'tablet', confirmedBy: 'staff-chigasaki-1' });
    expect(application.sections.map((s: { formId: string }) => s.formId)).toEqual([
      'juminidou',
      'jidouteate',
      'kodomoiryo',
      'kouki',
      'kaigo',
    ]);
    const targets = application.sections.flatMap(
      (s: { handoff: { targets: string[] } }) => s.handoff.targets,
    );
    expect(new Set(targets).size).toBe(5);
  });

  it('lists the family’s procedures', () => {
    expect(result.procedures).toEqual(
      expect.arrayContaining(['juminidou', 'kouki', 'kaigo', 'jidouteate', 'kodomoiryo', 'school']),
    );
  });

  it('prefilled the 住民異動届 from the 転出証明書, saying so per field', async () => {
    const form = await get(`/v1/visits/${result.visitId}/forms/juminidou`);
    const taro = form.fields.find(
      (f: { key: string; value: unknown }) => f.key === 'name' && f.value === '山田　太郎',
    );
    expect(taro).toMatchObject({ state: 'prefilled', category: 'name' });
    const previous = form.fields.find((f: { key: string }) => f.key === 'previousAddress');
    expect(previous).toMatchObject({ value: '大阪府大阪市北区梅田一丁目１番１号', state: 'prefilled' });
    expect(form.fields.find((f: { kind: string }) => f.kind === 'signature')).toMatchObject({
      state: 'signature',
      value: null,
    });
  });

  it('took later forms from the 住記 export, the 後期 file and the accepted 住民異動届 (回らない)', async () => {
    const kouki = await get(`/v1/visits/${result.visitId}/forms/kouki`);
    const number = kouki.fields.find((f: { key: string }) => f.key === 'insuredNumber');
    expect(number.value).toBe('14000123');
    const jidou = await get(`/v1/visits/${result.visitId}/forms/jidouteate`);
    const phone = jidou.fields.find((f: { key: string }) => f.key === 'phone');
    expect(phone).toMatchObject({ value: '0467-00-0000', state: 'prefilled' });
    const address = jidou.fields.find((f: { key: string }) => f.key === 'address');
    expect(address.value).toBe('神奈川県茅ヶ崎市茅ヶ崎二丁目３番４号');
    const child = jidou.fields.find(
      (f: { key: string; value: unknown }) => f.key === 'childName' && f.value === '山田　一郎',
    );
    expect(child).toBeDefined();
  });

  it('delivers each core system its own file, every column of its format filled for the family', async () => {
    await app.hub.dispatcher.runOnce();
    // The family's new address has no 方書 (the form says （なし）).
    const alwaysEmpty: Record<string, string[]> = { 'juki-idou-csv': ['方書'] };
    const expected = [
      'juki-idou-csv',
      'jidou-teate-seikyu-csv',
      'kodomo-iryo-shinsei-csv',
      'kouki-todoke-csv',
      'kaigo-todoke-csv',
    ];
    for (const target of expected) {
      const dir = path.join(app.hub.config.outboxDir!, target);
      const files = readdirSync(dir).filter((f) => f.endsWith('.csv'));
      expect(files, target).toHaveLength(1);
      const bytes = readFileSync(path.join(dir, files[0]!));
      const decoded = decodeBytes(
        bytes,
        target.endsWith('seikyu-csv') || target.startsWith('kodomo') || target.startsWith('kaigo')
          ? 'cp932'
          : 'utf-8',
      );
      if (!('text' in decoded)) throw new Error(`${target} is not text`);
      const [header, ...rows] = decoded.text
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n')
        .map((l) => l.split(','));
      expect(rows.length, target).toBeGreaterThan(0);
      const empty = header!.filter((_, i) => rows.every((r) => (r[i] ?? '') === ''));
      expect(empty, target).toEqual(alwaysEmpty[target] ?? []);
    }
  });

  it('answers a 404 problem for a form that does not exist', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/visits/${result.visitId}/forms/nope`,
      headers: auth(keys.admin),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('HUB_ERR_FORM_UNKNOWN');
  });
});

describe('the 茅ヶ崎 scenario without HTTP, through the use cases', () => {
  it('gives the same counts: 48 → 3 per form group, 48 → 1 with the consolidated application', async () => {
    const app = await testApp();
    try {
      const client = { id: keys.admin.id, scopes: new Set(['admin'] as const) };
      const result = await runChigasakiScenario(
        directPort(app.hub, { viewer: { client, purpose: '転入届の受付' }, staffId: 'staff-chigasaki-1' }),
      );
      expect(result.total).toMatchObject({ before: 48, after: 3 });
      expect(result.consolidated).toEqual({ before: 48, after: 1, signatures: 1 });
      const submissions = await app.hub.submissions.forVisit(result.visitId);
      expect(submissions.map((s) => s.formId)).toEqual([
        'juminidou',
        'jidouteate',
        'kodomoiryo',
        'kouki',
        'kaigo',
      ]);
    } finally {
      await app.close();
    }
  });
});
