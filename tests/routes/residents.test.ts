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
    expect(p.withheld).toEqual(['myNumber', 'extras']);
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

  it('answers a person under 支援措置 as not found, and shields co-residents’ address, 本籍 and household', async () => {
    const id = ids.get('9')!;
    const res = await get(`/v1/residents/${id}`, personal(keys.counter));
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain(id);
    expect(res.body).not.toContain('丁田');
    const mate = (await get(`/v1/residents/${ids.get('10')!}`, personal(keys.counter))).json();
    for (const f of ['address', 'registeredDomicile', 'householdId', 'relationship', 'householdHeadName']) {
      expect(mate[f], f).toBeUndefined();
    }
    expect(mate.withheld).toContain('address');
    expect(Object.keys(mate.provenance).some((k) => k.startsWith('address'))).toBe(false);
  });

  it('leaves persons under 他業務参照不可 out of searches, and finds them flagged for admin with a reason', async () => {
    const kana = `/v1/residents?kana=${encodeURIComponent('しんざき')}`;
    const res = await get(kana, personal(keys.counter));
    expect(res.json()).toEqual({ items: [], total: 0 });
    const full = await get(
      kana,
      personal(keys.admin, { 'x-restricted-access': encodeURIComponent('担当課') }),
    );
    const [p] = full.json().items;
    expect(p.restrictions.noCrossReference).toBe(true);
    expect(p.address).toBeDefined();
  });

  it('finds nothing by the household number of a household that hides someone', async () => {
    const res = await get('/v1/residents?householdId=400', personal(keys.counter));
    expect(res.json()).toEqual({ items: [], total: 0 });
    const full = await get(
      '/v1/residents?householdId=400',
      personal(keys.admin, { 'x-restricted-access': 'r' }),
    );
    expect(full.json().items).toHaveLength(4);
  });

  it('shows a restricted person only to admin with X-Restricted-Access, and audits the reason', async () => {
    const id = ids.get('9')!;
    const adminNoReason = await get(`/v1/residents/${id}`, personal(keys.admin));
    expect(adminNoReason.statusCode).toBe(404);
    const full = await get(
      `/v1/residents/${id}`,
      personal(keys.admin, { 'x-restricted-access': encodeURIComponent('支援措置担当課の確認') }),
    );
    expect(full.json().address).toMatchObject({ town: '南一丁目' });
    expect(full.json().householdId).toBe('400');
    const reason = { 'x-restricted-access': encodeURIComponent('監査') };
    const audit = await get(`/v1/audit?subject=${id}&actor=admin-1`, auth(keys.admin, reason));
    expect(audit.json().items[0]).toMatchObject({ restrictedReason: '支援措置担当課の確認' });
    const unprivileged = await get(`/v1/audit?subject=${id}`, auth(keys.auditor));
    expect(unprivileged.json().items).toEqual([]);
    const counterReason = await get(
      `/v1/residents/${id}`,
      personal(keys.counter, { 'x-restricted-access': 'x' }),
    );
    expect(counterReason.statusCode).toBe(404);
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

  it('answers a household with a restricted member like an unknown one', async () => {
    const res = await get('/v1/households/400', personal(keys.counter));
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual((await get('/v1/households/98765', personal(keys.counter))).json());
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
