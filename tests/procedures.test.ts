import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapters } from '../adapters/index.ts';
import { requireMappingCatalog } from '../src/mapping/catalog.ts';
import type { VisitContext, VisitPerson } from '../src/procedures/context.ts';
import { evaluateProcedures } from '../src/procedures/evaluate.ts';
import { root } from './helpers/files.ts';

const rules = requireMappingCatalog(
  path.join(root, 'mappings'),
  adapters.map((a) => a.manifest.id),
).procedureRules;

function person(id: string, birth: string | null, extra: Partial<VisitPerson> = {}): VisitPerson {
  return {
    id,
    order: 1,
    source: 'certificate',
    name: { full: id },
    birthDate: birth ? { iso: birth, unknown: false } : { iso: null, unknown: true },
    sex: { code: '1' },
    relationship: { codes: ['02'] },
    insuredBefore: {},
    enrolments: [],
    record: {},
    provenance: { adapter: 'test', importId: 'imp', asOf: '2026-04-01T00:00:00Z' },
    ...extra,
  };
}

const ctx = (persons: VisitPerson[], extra: Partial<VisitContext> = {}): VisitContext => ({
  lifeEvent: 'tennyu',
  referenceDate: '2026-04-01',
  persons,
  certificate: {
    id: 'tc',
    number: 'N',
    plannedMoveOn: { iso: '2026-03-31', unknown: false },
    previousAddress: { full: '大阪府大阪市北区梅田一丁目１番１号' },
    destination: { full: '神奈川県茅ヶ崎市茅ヶ崎二丁目３番４号' },
    record: {},
  },
  ...extra,
});

const ids = (c: VisitContext) => evaluateProcedures(rules, c).procedures.map((p) => p.id);
const forWhom = (c: VisitContext, id: string) =>
  evaluateProcedures(rules, c).procedures.find((p) => p.id === id)?.persons ?? [];

describe('手続ナビ rules at a reference date (2026-04-01)', () => {
  it('74/75: 後期高齢者医療 from the 75th birthday, with 負担区分等証明書 across prefectures', () => {
    const c = ctx([person('p74', '1951-04-02'), person('p75', '1951-04-01')]);
    expect(forWhom(c, 'kouki')).toEqual(['p75']);
    const kouki = evaluateProcedures(rules, c).procedures.find((p) => p.id === 'kouki')!;
    expect(kouki.reason).toBe('p75: 75歳（75歳以上）のため後期高齢者医療の資格取得が必要');
    expect(kouki.notes).toEqual([
      '都道府県をまたぐ転入のため、前住所地の広域連合が交付した負担区分等証明書が必要',
    ]);
    const sameCertificate = ctx([person('p75', '1951-04-01')]);
    sameCertificate.certificate!.previousAddress = { full: '神奈川県横浜市中区１番' };
    expect(
      evaluateProcedures(rules, sameCertificate).procedures.find((p) => p.id === 'kouki')!.notes,
    ).toBeUndefined();
  });

  it('64/65: 介護保険 第1号 from 65', () => {
    expect(forWhom(ctx([person('p64', '1961-04-02'), person('p65', '1961-04-01')]), 'kaigo')).toEqual([
      'p65',
    ]);
  });

  it('39/40: a certified 第2号 from 40 (and not at 65, where 第1号 applies)', () => {
    const insured = { insuredBefore: { kaigo: true } };
    const c = ctx([
      person('p39', '1986-04-02', insured),
      person('p40', '1986-04-01', insured),
      person('p65', '1961-04-01', insured),
    ]);
    expect(forWhom(c, 'kaigo-2')).toEqual(['p40']);
    expect(forWhom(ctx([person('p40', '1986-04-01')]), 'kaigo-2')).toEqual([]);
  });

  it('19/20 and 59/60: 国民年金 第1号 from 20 to under 60', () => {
    const kind = { pensionKind: '第1号' };
    const c = ctx([
      person('p19', '2006-04-02', kind),
      person('p20', '2006-04-01', kind),
      person('p59', '1966-04-02', kind),
      person('p60', '1966-04-01', kind),
    ]);
    expect(forWhom(c, 'nenkin')).toEqual(['p20', 'p59']);
    expect(forWhom(ctx([person('p30', '1996-01-01', { pensionKind: '第2号' })]), 'nenkin')).toEqual([]);
  });

  it('18 and the March rule: 児童手当 to the first 3月31日 on or after the day before the 18th birthday', () => {
    const onMarch31 = ctx([person('born0401', '2008-04-01'), person('born0402', '2008-04-02')], {
      referenceDate: '2026-03-31',
    });
    expect(forWhom(onMarch31, 'jidouteate')).toEqual(['born0401', 'born0402']);
    const onApril1 = ctx([person('born0401', '2008-04-01'), person('born0402', '2008-04-02')], {
      referenceDate: '2026-04-01',
    });
    expect(forWhom(onApril1, 'jidouteate')).toEqual(['born0402']);
    const oneYearOn = ctx([person('born0402', '2008-04-02')], { referenceDate: '2027-04-01' });
    expect(forWhom(oneYearOn, 'jidouteate')).toEqual([]);
  });

  it('児童手当 is due 15 days from the day after the planned 転出 date', () => {
    const p = evaluateProcedures(rules, ctx([person('child', '2015-01-01')])).procedures.find(
      (x) => x.id === 'jidouteate',
    )!;
    expect(p.due).toEqual({ date: '2026-04-15', note: expect.stringContaining('15日') });
  });

  it('国保 only for persons the certificate says were enrolled', () => {
    const c = ctx([
      person('kokuho', '1990-01-01', { insuredBefore: { kokuho: true } }),
      person('shaho', '1990-01-01', { insuredBefore: { kokuho: false } }),
    ]);
    expect(forWhom(c, 'kokuho')).toEqual(['kokuho']);
  });

  it('asks for review rather than guess for a 不詳 birth date', () => {
    const r = evaluateProcedures(rules, ctx([person('unknown', null)]));
    expect(r.procedures.map((p) => p.id)).not.toContain('kouki');
    expect(r.review).toContainEqual(expect.objectContaining({ personId: 'unknown', rule: 'kouki' }));
  });

  it('lists the procedures of each life event', () => {
    const family = [
      person('child', '2015-01-01', {
        enrolments: [
          {
            id: 'e',
            program: 'jidou-teate',
            atenaNo: '1',
            status: 'active',
            provenance: { adapter: 'a', importId: 'i', file: 'f', line: 1, asOf: 'x' },
          },
        ],
      }),
    ];
    expect(ids(ctx(family))).toEqual(
      expect.arrayContaining(['juminidou', 'mynumber-card', 'inkan', 'jidouteate', 'kodomoiryo', 'school']),
    );
    expect(ids(ctx(family, { lifeEvent: 'tenshutsu' }))).toEqual(['juminidou', 'jidouteate-shoumetsu']);
    expect(ids(ctx(family, { lifeEvent: 'tenkyo' }))).toEqual(['juminidou']);
    expect(ids(ctx(family, { lifeEvent: 'shussei' }))).toEqual(['jidouteate-shussei', 'kodomoiryo']);
    expect(
      ids(
        ctx(
          [
            person('old', '1940-01-01', {
              enrolments: [
                {
                  id: 'e',
                  program: 'kouki',
                  atenaNo: '1',
                  status: 'active',
                  provenance: { adapter: 'a', importId: 'i', file: 'f', line: 1, asOf: 'x' },
                },
              ],
            }),
          ],
          { lifeEvent: 'shibou' },
        ),
      ),
    ).toEqual(['kouki-soushitsu', 'kaigo-soushitsu', 'nenkin-shibou']);
  });
});
