import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { auth, keys, testApp } from '../helpers/app.ts';
import { bytesSource, root } from '../helpers/files.ts';
import { openChigasakiVisit } from '../helpers/visit.ts';

interface Item {
  field: string;
  person?: string;
  code: string;
  message: string;
}

describe('the form contract: every submitted value is checked against its form', () => {
  let app: App;
  let visitId: string;
  let taro: string;
  let n = 0;
  const submit = (formId: string, values: Record<string, unknown>, visit = visitId) =>
    app.inject({
      method: 'POST',
      url: `/v1/visits/${visit}/submissions`,
      headers: auth(keys.admin, { 'idempotency-key': `contract-${++n}` }),
      payload: {
        formId,
        values,
        confirmedBy: 'staff-1',
        signatures: [{ key: 'signature', method: 'tablet' }],
      },
    });
  const items = (res: { json: () => { errors?: Item[] } }) => res.json().errors ?? [];

  beforeAll(async () => {
    app = await testApp();
    visitId = await openChigasakiVisit(app);
    const form = (
      await app.inject({
        method: 'GET',
        url: `/v1/visits/${visitId}/forms/juminidou`,
        headers: auth(keys.admin),
      })
    ).json();
    taro = form.fields.find(
      (f: { key: string; value: unknown }) => f.key === 'name' && f.value === '山田　太郎',
    ).person;
  });
  afterAll(async () => app.close());

  it('refuses an object as a name, 42 as a birth date, 宇宙人 as a sex and [1,2] as a phone: one problem each', async () => {
    const res = await submit('juminidou', {
      [`name@${taro}`]: { x: 1 },
      [`birthDate@${taro}`]: 42,
      [`sex@${taro}`]: '宇宙人',
      phone: [1, 2],
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('HUB_ERR_FORM_VALUES');
    const byField = Object.fromEntries(items(res).map((e) => [e.field, e]));
    expect(items(res)).toHaveLength(4);
    expect(byField.name).toMatchObject({ person: taro, code: 'HUB_ERR_FIELD_TYPE' });
    expect(byField.birthDate).toMatchObject({ person: taro, code: 'HUB_ERR_FIELD_DATE' });
    expect(byField.sex).toMatchObject({ person: taro, code: 'HUB_ERR_FIELD_CHOICE' });
    expect(byField.sex!.message).toContain('男・女');
    expect(byField.phone).toMatchObject({ code: 'HUB_ERR_FIELD_TYPE' });
    expect(byField.phone!.person).toBeUndefined();
    for (const e of items(res)) expect(e.message).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/u);
    const stored = await app.hub.store.db.selectFrom('form_submissions').select('id').execute();
    expect(stored).toHaveLength(0);
  });

  it('refuses a field the form lacks, a 2月30日, a too long name and a malformed phone', async () => {
    const res = await submit('juminidou', {
      nickname: 'タロ',
      [`birthDate@${taro}`]: '2026-02-30',
      [`name@${taro}`]: '山'.repeat(61),
      phone: '12-34',
    });
    expect(res.statusCode).toBe(422);
    expect(
      items(res)
        .map((e) => e.code)
        .sort(),
    ).toEqual([
      'HUB_ERR_FIELD_DATE',
      'HUB_ERR_FIELD_FORMAT',
      'HUB_ERR_FIELD_LENGTH',
      'HUB_ERR_FIELD_UNKNOWN',
    ]);
  });

  it('refuses a character CP932 lacks for a form a CP932 target writes, and takes it where the target is UTF-8', async () => {
    const jidou = (
      await app.inject({
        method: 'GET',
        url: `/v1/visits/${visitId}/forms/jidouteate`,
        headers: auth(keys.admin),
      })
    ).json();
    expect(jidou.fields.every((f: { cp932: boolean }) => f.cp932)).toBe(true);
    const account = { bankCode: '0009', branchCode: '123', accountType: '普通', accountNumber: '7654321' };
    const res = await submit('jidouteate', { ...account, claimantName: '山田　🐱太郎' });
    expect(res.statusCode).toBe(422);
    expect(items(res)).toEqual([
      expect.objectContaining({ field: 'claimantName', code: 'HUB_ERR_FIELD_CP932' }),
    ]);
  });

  it('refuses 児童手当 without the account the payment goes to', async () => {
    const res = await submit('jidouteate', {});
    expect(res.statusCode).toBe(422);
    expect(
      items(res)
        .filter((e) => e.code === 'HUB_ERR_FIELD_REQUIRED')
        .map((e) => e.field)
        .sort(),
    ).toEqual(['accountNumber', 'accountType', 'bankCode', 'branchCode']);
  });

  it('exposes each field’s type, required, length, choices and CP932, and where the form goes', async () => {
    const form = (
      await app.inject({
        method: 'GET',
        url: `/v1/visits/${visitId}/forms/juminidou`,
        headers: auth(keys.admin),
      })
    ).json();
    expect(form.handoff).toEqual({ kind: 'system', targets: ['juki-idou-csv'] });
    const sex = form.fields.find((f: { key: string }) => f.key === 'sex');
    expect(sex).toMatchObject({ type: 'choice', required: true, choices: ['男', '女'], cp932: false });
    const name = form.fields.find((f: { key: string }) => f.key === 'name');
    expect(name).toMatchObject({ type: 'text', required: true, maxLength: 60 });
    expect(form.fields.find((f: { key: string }) => f.key === 'phone')).toMatchObject({
      type: 'phone',
      required: false,
    });
  });

  it('takes hiragana kana as katakana and full-width digits as ASCII', async () => {
    const res = await submit('juminidou', {
      [`kana@${taro}`]: 'やまだ　たろう',
      phone: '０４６７－００－１２３４',
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().values[`kana@${taro}`]).toBe('ヤマダ　タロウ');
    expect(res.json().values.phone).toBe('0467-00-1234');
    expect(res.json().handoff).toEqual({ kind: 'system', targets: ['juki-idou-csv'] });
  });

  it('says that a paper form goes to its section and delivers nothing', async () => {
    const res = await submit('inkan', {});
    expect(res.statusCode).toBe(202);
    expect(res.json().handoff).toMatchObject({ kind: 'paper', to: expect.stringContaining('印鑑登録') });
    expect(res.json().deliveries).toEqual([]);
  });

  it('delivers 介護保険 to its own target', async () => {
    const res = await submit('kaigo', { certificateSubmitted: 'なし' });
    expect(res.statusCode).toBe(202);
    expect(res.json().deliveries).toEqual([expect.objectContaining({ target: 'kaigo-todoke-csv' })]);
  });

  it('refuses a form the visit’s procedures do not list until staff add it with a reason', async () => {
    const csv = readFileSync(path.join(root, 'fixtures', 'scenario-chigasaki', 'juki-after-tennyu.csv'));
    await app.hub.importFile(bytesSource(csv, 'juki-after-tennyu.csv'), { adapter: 'juki-standard-csv' });
    const tenkyo = (
      await app.inject({
        method: 'POST',
        url: '/v1/visits',
        headers: auth(keys.admin),
        payload: {
          lifeEvent: 'tenkyo',
          identity: { method: 'mynumber-card', verifiedBy: 'staff-1' },
          consent: { given: true },
          subjects: { householdId: '7001' },
          referenceDate: '2026-06-01',
        },
      })
    ).json().id;
    const refused = await submit('kouki', {}, tenkyo);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().code).toBe('HUB_ERR_FORM_NOT_NEEDED');
    const added = await app.inject({
      method: 'POST',
      url: `/v1/visits/${tenkyo}/extra-forms`,
      headers: auth(keys.admin),
      payload: { formId: 'kouki', reason: '住所変更に伴う被保険者証の再交付', addedBy: 'staff-1' },
    });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toEqual([expect.objectContaining({ formId: 'kouki', addedBy: 'staff-1' })]);
    const accepted = await submit('kouki', {}, tenkyo);
    expect(accepted.statusCode).toBe(202);
    const visit = (
      await app.inject({ method: 'GET', url: `/v1/visits/${tenkyo}`, headers: auth(keys.admin) })
    ).json();
    expect(visit.extraForms).toEqual([expect.objectContaining({ formId: 'kouki' })]);
  });

  it('lists the targets with their forms and transports, and every form with where it goes', async () => {
    const targets = (
      await app.inject({ method: 'GET', url: '/v1/targets', headers: auth(keys.counter) })
    ).json();
    const ids = targets.items.map((t: { id: string }) => t.id);
    expect(ids).toEqual(
      expect.arrayContaining(['juki-idou-csv', 'jidou-teate-seikyu-csv', 'kaigo-todoke-csv']),
    );
    expect(targets.items.find((t: { id: string }) => t.id === 'kaigo-todoke-csv')).toMatchObject({
      forms: ['kaigo'],
      encodings: ['cp932'],
      transport: { type: 'folder' },
    });
    const forms = (await app.inject({ method: 'GET', url: '/v1/forms', headers: auth(keys.counter) })).json();
    const inkan = forms.items.find((f: { id: string }) => f.id === 'inkan');
    expect(inkan.handoff.kind).toBe('paper');
    for (const f of forms.items) expect(['system', 'paper']).toContain(f.handoff.kind);
  });
});
