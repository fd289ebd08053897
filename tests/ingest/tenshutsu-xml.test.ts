import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { encodeCp932 } from '../../src/parsers/encode.ts';
import { auth, keys, personal, testApp } from '../helpers/app.ts';
import { bytesSource, root, sampleLines, withColumn } from '../helpers/files.ts';

const adapter = 'tenshutsu-xml';
const xml = readFileSync(path.join(root, 'fixtures', 'tenshutsu-xml', 'chigasaki-family.xml'), 'utf8');

describe('転出証明書 XML (tenshutsu-xml)', () => {
  let app: App;
  let certificateId: string;
  const importXml = (text: string | Buffer, name = 'cert.xml') =>
    app.hub.importFile(bytesSource(typeof text === 'string' ? Buffer.from(text) : text, name), { adapter });

  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => app.close());

  it('stores the six-person certificate as a pending transfer-in', async () => {
    const run = await importXml(xml, 'chigasaki-family.xml');
    expect(run).toMatchObject({
      status: 'succeeded',
      encoding: 'utf-8',
      counts: { read: 6, inserted: 6, rejected: 0 },
    });
    const res = await app.inject({
      method: 'GET',
      url: '/v1/transfer-certificates?number=R8-000123',
      headers: personal(keys.counter),
    });
    expect(res.statusCode).toBe(200);
    const [cert] = res.json().items;
    certificateId = cert.id;
    expect(cert).toMatchObject({
      number: 'R8-000123',
      status: 'pending',
      issuingMunicipality: { code: '271004', name: '大阪府大阪市' },
      issuedOn: { iso: '2026-03-20', wareki: '令和8年3月20日' },
      plannedMoveOn: { iso: '2026-03-31' },
      previousAddress: {
        postalCode: '5300001',
        full: '大阪府大阪市北区梅田一丁目１番１号',
        building: '梅田ハイツ１０１号室',
      },
      destination: { postalCode: '2530041', full: '神奈川県茅ヶ崎市茅ヶ崎二丁目３番４号' },
      headName: '山田　太郎',
      provenance: { adapter, file: 'chigasaki-family.xml' },
    });
    expect(
      cert.persons.map((p: { order: number; name: { full: string }; relationship: { codes: string[] } }) => [
        p.order,
        p.name.full,
        p.relationship.codes,
      ]),
    ).toEqual([
      [1, '山田　太郎', ['02']],
      [2, '山田　花子', ['12']],
      [3, '山田　一男', ['51']],
      [4, '山田　一郎', ['20']],
      [5, '山田　二葉', ['20']],
      [6, '山田　三月', ['20']],
    ]);
    const [taro, hanako, kazuo] = cert.persons;
    expect(taro).toMatchObject({
      residentCode: '92000000010',
      birthDate: { iso: '1980-04-01', wareki: '昭和55年4月1日' },
      sex: { code: '1', label: '男' },
      insurance: {
        kokuho: { enrolled: false },
        nenkin: { enrolled: true, kind: '第2号' },
        jidouTeate: { enrolled: true, since: '2016-05' },
      },
      withheld: ['myNumber'],
    });
    expect(taro.myNumber).toBeUndefined();
    expect(taro.id).toMatch(/^per_/);
    expect(hanako).toMatchObject({ kana: { full: 'やまだ　はなこ' }, birthDate: { iso: '1982-07-14' } });
    expect(kazuo).toMatchObject({
      kana: { full: 'ヤマダ　カズオ' },
      insurance: { kouki: { enrolled: true }, kaigo: { enrolled: true } },
    });
  });

  it('finds it by the kana (any script) and birth date of any person, audited', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/transfer-certificates?kana=${encodeURIComponent('やまだ　かずお')}&birthDate=1948-05-05`,
      headers: personal(keys.counter),
    });
    expect(res.json().items.map((c: { id: string }) => c.id)).toEqual([certificateId]);
    const audit = await app.inject({
      method: 'GET',
      url: '/v1/audit?actor=counter-1&limit=1',
      headers: auth(keys.auditor),
    });
    expect(audit.json().items[0]).toMatchObject({ action: 'transfer-certificates.search' });
    expect(audit.json().items[0].subjects).toHaveLength(6);
    const none = await app.inject({
      method: 'GET',
      url: '/v1/transfer-certificates?birthDate=1948-05-06',
      headers: personal(keys.counter),
    });
    expect(none.json().total).toBe(0);
  });

  it('shows 個人番号 only with mynumber:read', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/transfer-certificates/${certificateId}`,
      headers: personal(keys.mynumber),
    });
    expect(res.json().persons[0].myNumber).toBe('920000000010');
  });

  it('answers the same file again as unchanged and keeps the person ids when it changes', async () => {
    const before = (await app.hub.certificates.get(certificateId))!;
    expect((await importXml(xml, 'again.xml')).status).toBe('unchanged');
    const changed = await importXml(xml.replace('梅田ハイツ１０１号室', '梅田ハイツ１０２号室'), 'fixed.xml');
    expect(changed).toMatchObject({ status: 'succeeded', counts: { updated: 6 } });
    const after = (await app.hub.certificates.get(certificateId))!;
    expect(after.persons.map((p) => p.id)).toEqual(before.persons.map((p) => p.id));
    expect(after.previousAddress?.building).toBe('梅田ハイツ１０２号室');
  });

  it('reads a Shift_JIS certificate (declared in the prolog) with a BOM-less body', async () => {
    const sjis = encodeCp932(
      xml
        .replace('encoding="UTF-8"', 'encoding="Shift_JIS"')
        .replace('R8-000123', 'R8-000999')
        .replace(/<住民票コード>\d+<\/住民票コード>/g, ''),
    );
    const run = await importXml(sjis, 'sjis.xml');
    expect(run.error?.message).toBeUndefined();
    expect(run).toMatchObject({ status: 'succeeded', encoding: 'cp932', counts: { read: 6 } });
    const res = await app.inject({
      method: 'GET',
      url: '/v1/transfer-certificates?number=R8-000999',
      headers: personal(keys.counter),
    });
    expect(res.json().items[0].persons[2].name.full).toBe('山田　一男');
  });

  it('refuses a document with a DTD or an entity', async () => {
    const run = await importXml(
      xml.replace('<転出証明書 版', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<転出証明書 版'),
      'dtd.xml',
    );
    expect(run).toMatchObject({ status: 'failed', error: { code: 'HUB_ERR_XML_DTD', line: 2 } });
  });

  it('rejects a certificate that does not parse, with the line', async () => {
    const run = await importXml(xml.replace('</氏名フリガナ>', '</氏名フリ>'), 'broken.xml');
    expect(run).toMatchObject({ status: 'failed', error: { code: 'HUB_ERR_XML' } });
    expect(run.error!.line).toBeGreaterThan(1);
  });

  it('rejects a certificate with a wrong 個人番号 check digit, naming the person', async () => {
    const run = await importXml(xml.replace('920000000010', '920000000011'), 'mynumber.xml');
    expect(run).toMatchObject({
      status: 'failed',
      error: { code: 'HUB_ERR_CERTIFICATE', line: 1, field: '個人番号' },
    });
    expect(run.error!.message).toContain('検査用数字');
  });

  it('rejects a certificate that lacks a person’s required data', async () => {
    const run = await importXml(xml.replace('<生年月日>平成29年9月1日</生年月日>', ''), 'nobirth.xml');
    expect(run).toMatchObject({
      status: 'failed',
      error: { code: 'HUB_ERR_CERTIFICATE', line: 5, field: '生年月日' },
    });
  });

  it('gives the residents of the next 住記 export the ids the certificate gave them', async () => {
    const cert = (await app.hub.certificates.get(certificateId))!;
    const [header, template] = sampleLines() as [string, string];
    const lines = cert.persons.map((p, i) => {
      let l = withColumn(header, template, '宛名番号', String(5001 + i));
      l = withColumn(header, l, '世帯番号', '5000');
      l = withColumn(header, l, '住民票コード', p.residentCode!);
      return withColumn(header, l, '氏名', p.name.full);
    });
    const run = await app.hub.importFile(
      bytesSource(Buffer.from([header, ...lines].join('\n')), 'juki_異動分_after.csv'),
      {
        adapter: 'juki-standard-csv',
      },
    );
    expect(run.counts).toMatchObject({ inserted: 6 });
    const ids = await app.hub.store.db
      .selectFrom('persons')
      .select(['id', 'resident_code'])
      .where('household_id', '=', '5000')
      .execute();
    expect(new Set(ids.map((r) => r.id))).toEqual(new Set(cert.persons.map((p) => p.id)));
    const after = (await app.hub.certificates.get(certificateId))!;
    expect(after.status).toBe('registered');
    expect(after.persons.every((p) => p.matchedPersonId === p.id)).toBe(true);
  });
});
