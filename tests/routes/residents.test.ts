import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { myNumberCheckDigit } from '../../src/normalize/check-digits.ts';
import { auth, keys, personal, testApp } from '../helpers/app.ts';
import { bytesSource, sampleLines, withColumn } from '../helpers/files.ts';

/** An invented, check-digit-valid 個人番号 for the person with this 宛名番号. */
const inventedMyNumber = (atena: number) => {
  const body = `9${String(atena).padStart(10, '0')}`;
  return `${body}${myNumberCheckDigit(body)}`;
};

describe('residents and households', () => {
  let app: App;
  const ids = new Map<string, string>();
  const get = (url: string, headers: Record<string, string>) => app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    app = await testApp();
    // The sample, with an invented 個人番号 column and two restricted persons:
    // 丁田 学 (世帯 400) under 支援措置, 辛崎 静 (世帯 900) with 他業務参照不可フラグ = 1.
    const [header, ...rows] = sampleLines() as [string, ...string[]];
    const h = `${header},個人番号,支援措置区分`;
    const lines = rows.map((r) => {
      const atena = Number(r.split(',')[1]);
      let line = `${r},${inventedMyNumber(atena)},${atena === 9 ? '1' : ''}`;
      if (atena === 22) line = withColumn(h, line, '他業務参照不可フラグ', '1');
      return line;
    });
    const run = await app.hub.importFile(
      bytesSource(Buffer.from([h, ...lines].join('\n')), 'with-mynumber.csv'),
      {
        adapter: 'juki-standard-csv',
      },
    );
    expect(run.counts).toMatchObject({ inserted: 27, rejected: 0 });
    const rows2 = await app.hub.store.db.selectFrom('persons').select(['id', 'atena_no']).execute();
    for (const r of rows2) ids.set(r.atena_no, r.id);
  });
  afterAll(async () => app.close());

  it('finds by kana in katakana, hiragana and half-width alike', async () => {
    for (const kana of ['コウノ', 'こうの', 'ｺｳﾉ', 'コウノ　イチ', 'こうの いちろう']) {
      const res = await get(`/v1/residents?kana=${encodeURIComponent(kana)}`, personal(keys.counter));
      expect(res.statusCode, kana).toBe(200);
      const names = res.json().items.map((p: { name: { full: string } }) => p.name.full);
      expect(names, kana).toContain('甲野　一郎');
      expect(
        names.every((n: string) => n.startsWith('甲野')),
        kana,
      ).toBe(true);
    }
    const all = await get(`/v1/residents?kana=${encodeURIComponent('こうの')}`, personal(keys.counter));
    expect(all.json().total).toBe(5);
  });

  it('finds by a part of the name, by birth date, by household, narrowed by status', async () => {
    const byName = await get(`/v1/residents?name=${encodeURIComponent('一郎')}`, personal(keys.counter));
    expect(byName.json().items.map((p: { atenaNo: string }) => p.atenaNo)).toEqual(['1']);
    const byBirth = await get('/v1/residents?birthDate=1982-07-14', personal(keys.counter));
    expect(byBirth.json().items.map((p: { atenaNo: string }) => p.atenaNo)).toEqual(['2']);
    const byHousehold = await get('/v1/residents?householdId=600', personal(keys.counter));
    expect(byHousehold.json().total).toBe(2);
    const movedOut = await get('/v1/residents?householdId=600&status=moved-out', personal(keys.counter));
    expect(movedOut.json().total).toBe(2);
    const resident = await get('/v1/residents?householdId=600&status=resident', personal(keys.counter));
    expect(resident.json().total).toBe(0);
  });

  it('asks for at least one search criterion', async () => {
    const res = await get('/v1/residents', personal(keys.counter));
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('HUB_ERR_VALIDATION');
  });

  it('returns one person with provenance per field and writes an audit row', async () => {
    const id = ids.get('1')!;
    const res = await get(`/v1/residents/${id}`, personal(keys.counter, { 'x-staff-id': 'staff-42' }));
    expect(res.statusCode).toBe(200);
    const p = res.json();
    expect(p).toMatchObject({
      id,
      atenaNo: '1',
      name: { full: '甲野　一郎' },
      birthDate: { iso: '1980-03-05', unknown: false, wareki: '昭和55年3月5日' },
      relationship: { codes: ['02'], label: '世帯主' },
      address: { postalCode: '9990001' },
    });
    expect(p.provenance['address.postalCode']).toMatchObject({
      adapter: 'juki-standard-csv',
      line: 2,
      column: '住所_郵便番号',
    });
    expect(p.myNumber).toBeUndefined();
    expect(p.withheld).toEqual(['myNumber']);
    const audit = await get(`/v1/audit?subject=${id}`, auth(keys.auditor));
    expect(audit.json().items[0]).toMatchObject({
      clientId: 'counter-1',
      staffId: 'staff-42',
      purpose: '窓口での本人確認',
      action: 'residents.read',
      subjects: [id],
    });
    expect(audit.json().items[0].fields).toContain('address');
    expect(audit.json().items[0].fields).not.toContain('myNumber');
  });

  it('shows 個人番号 only with mynumber:read', async () => {
    const id = ids.get('1')!;
    const res = await get(`/v1/residents/${id}`, personal(keys.mynumber));
    expect(res.json().myNumber).toBe(inventedMyNumber(1));
    const audit = await get(`/v1/audit?subject=${id}&actor=counter-mn`, auth(keys.auditor));
    expect(audit.json().items[0].fields).toContain('myNumber');
  });

  it('audits a search with every person it returned', async () => {
    const res = await get(`/v1/residents?kana=${encodeURIComponent('オツカワ')}`, personal(keys.counter));
    const found = res
      .json()
      .items.map((p: { id: string }) => p.id)
      .sort();
    expect(found).toHaveLength(2);
    const audit = await get('/v1/audit?actor=counter-1&limit=1', auth(keys.auditor));
    expect(audit.json().items[0]).toMatchObject({ action: 'residents.search' });
    expect([...audit.json().items[0].subjects].sort()).toEqual(found);
  });

  it('withholds address, 本籍 and household of a person under 支援措置', async () => {
    const id = ids.get('9')!;
    const res = await get(`/v1/residents/${id}`, personal(keys.counter));
    const p = res.json();
    expect(p.restrictions).toEqual({
      supportMeasure: true,
      supportMeasureCode: '1',
      noCrossReference: false,
    });
    for (const f of ['address', 'registeredDomicile', 'householdId', 'relationship', 'householdHeadName']) {
      expect(p[f], f).toBeUndefined();
      expect(p.withheld, f).toContain(f);
    }
    expect(Object.keys(p.provenance).some((k) => k.startsWith('address'))).toBe(false);
    expect(p.name.full).toBe('丁田　学');
  });

  it('withholds them for 他業務参照不可 too, and finds restricted persons flagged', async () => {
    const res = await get(`/v1/residents?kana=${encodeURIComponent('しんざき')}`, personal(keys.counter));
    const [p] = res.json().items;
    expect(p.restrictions.noCrossReference).toBe(true);
    expect(p.address).toBeUndefined();
    expect(p.registeredDomicile).toBeUndefined();
  });

  it('leaves a restricted person out of a household search', async () => {
    const res = await get('/v1/residents?householdId=400', personal(keys.counter));
    expect(
      res
        .json()
        .items.map((p: { atenaNo: string }) => p.atenaNo)
        .sort(),
    ).toEqual(['10', '11', '12']);
  });

  it('shows a restricted person in full only to admin with X-Restricted-Access, and audits the reason', async () => {
    const id = ids.get('9')!;
    const adminNoReason = await get(`/v1/residents/${id}`, personal(keys.admin));
    expect(adminNoReason.json().address).toBeUndefined();
    const full = await get(
      `/v1/residents/${id}`,
      personal(keys.admin, { 'x-restricted-access': encodeURIComponent('支援措置担当課の確認') }),
    );
    expect(full.json().address).toMatchObject({ town: '南一丁目' });
    expect(full.json().householdId).toBe('400');
    const audit = await get(`/v1/audit?subject=${id}&actor=admin-1`, auth(keys.admin));
    expect(audit.json().items[0]).toMatchObject({ restrictedReason: '支援措置担当課の確認' });
    const counterReason = await get(
      `/v1/residents/${id}`,
      personal(keys.counter, { 'x-restricted-access': 'x' }),
    );
    expect(counterReason.json().address).toBeUndefined();
  });

  it('returns a household with members in 記載順位 and their relationships', async () => {
    const res = await get('/v1/households/100', personal(keys.counter));
    expect(res.statusCode).toBe(200);
    const h = res.json();
    expect(h).toMatchObject({
      id: '100',
      headPersonId: ids.get('1'),
      headName: '甲野　一郎',
      address: { town: '中央一丁目' },
    });
    expect(
      h.members.map(
        (m: { order: number; name: string; relationship: { codes: string[]; label: string } }) => [
          m.order,
          m.name,
          m.relationship.codes,
          m.relationship.label,
        ],
      ),
    ).toEqual([
      [1, '甲野　一郎', ['02'], '世帯主'],
      [2, '甲野　京子', ['12'], '妻'],
      [3, '甲野　幸子', ['52'], '母'],
      [4, '甲野　陽', ['20'], '子'],
      [5, '甲野　桜', ['20'], '子'],
    ]);
    const withDead = await get('/v1/households/500', personal(keys.counter));
    expect(withDead.json().members.map((m: { status: string }) => m.status)).toEqual([
      'resident',
      'deceased',
      'resident',
    ]);
  });

  it('withholds address and members of a household with a restricted member', async () => {
    const res = await get('/v1/households/400', personal(keys.counter));
    expect(res.json()).toEqual({ id: '400', withheld: ['head', 'address', 'members'] });
    const full = await get('/v1/households/400', personal(keys.admin, { 'x-restricted-access': 'reason' }));
    expect(full.json().members).toHaveLength(4);
  });

  it('answers 404 problems for an unknown person or household', async () => {
    const p = await get('/v1/residents/per_nope', personal(keys.counter));
    expect(p.statusCode).toBe(404);
    expect(p.json()).toMatchObject({ code: 'HUB_ERR_NOT_FOUND' });
    const h = await get('/v1/households/999', personal(keys.counter));
    expect(h.statusCode).toBe(404);
  });
});
