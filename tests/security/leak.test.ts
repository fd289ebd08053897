import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privileged } from '../../src/access/disclosure.ts';
import { personView } from '../../src/access/person-view.ts';
import type { App } from '../../src/app.ts';
import type { ApiKey } from '../../src/config/env.ts';
import { type WalkRequest, walkRequests } from '../helpers/api-walk.ts';
import { auth, keys, testApp } from '../helpers/app.ts';
import { bytesSource, root } from '../helpers/files.ts';
import { secretsIn } from '../helpers/secrets.ts';

const fixture = (name: string) => readFileSync(path.join(root, 'fixtures', 'restricted', name));

/** Everything that names or leads to the two restricted persons (fixtures/restricted/README.md). */
const fixedSecrets = [
  'ヒトク',
  '丁田　学',
  'テイダ　マナブ',
  '1979-09-19',
  '昭和54年9月19日',
  '97900000009',
  '７７番地の７',
  '40404',
  '辛崎　静',
  'シンザキ　シズ',
  '1936-11-25',
  '昭和11年11月25日',
  '97900000022',
  '８８番地の８',
  '90909',
  '秘田',
  'ヒダ　カクコ',
  '97979',
  '５５番地の５',
  'R8-097900',
];

/** Every key that is not `admin` with a reason: each must learn nothing of the restricted. */
const viewers: { label: string; key: ApiKey; headers: Record<string, string> }[] = [
  ...Object.entries(keys).map(([label, key]) => ({ label, key, headers: {} })),
  { label: 'counter claiming a reason', key: keys.counter, headers: { 'x-restricted-access': 'reason' } },
  { label: 'admin with a blank reason', key: keys.admin, headers: { 'x-restricted-access': '%20' } },
];

describe('the disclosure policy across every route of the API', () => {
  let app: App;
  let secrets: string[];
  let requests: WalkRequest[];
  const visitOf = new Map<string, string>();

  beforeAll(async () => {
    // The walk sends thousands of requests per key: no per-client rate limit for it.
    app = await testApp({ env: { HUB_RATE_LIMIT_PER_MINUTE: '10000000' } });
    const runs = [
      await app.hub.importFile(bytesSource(fixture('residents.csv'), 'residents.csv'), {
        adapter: 'juki-standard-csv',
      }),
      await app.hub.importFile(bytesSource(fixture('certificate.xml'), 'certificate.xml'), {
        adapter: 'tenshutsu-xml',
      }),
      await app.hub.importFile(bytesSource(fixture('kokuho.csv'), 'kokuho.csv'), { adapter: 'kokuho-csv' }),
      // A certificate of persons unrelated to them, which every reader may see.
      await app.hub.importFile(
        bytesSource(
          readFileSync(path.join(root, 'fixtures', 'tenshutsu-xml', 'chigasaki-family.xml')),
          'c.xml',
        ),
        { adapter: 'tenshutsu-xml' },
      ),
    ];
    expect(runs[0]!.counts.rejected).toBe(1);
    const db = app.hub.store.db;
    const persons = await db
      .selectFrom('persons')
      .select(['id', 'atena_no', 'household_id', 'restricted'])
      .execute();
    const restricted = persons.filter((p) => p.restricted);
    expect(restricted.map((p) => p.atena_no).sort()).toEqual(['22', '9']);
    const certificates = await db.selectFrom('transfer_certificates').select('id').execute();
    const hidden = await db
      .selectFrom('transfer_certificates')
      .select('id')
      .where('number', '=', 'R8-097900')
      .execute();
    secrets = [...fixedSecrets, ...restricted.map((p) => p.id), ...hidden.map((c) => c.id)];

    // The admin serves the restricted household with a reason; a counter serves a co-resident.
    const reason = { 'x-restricted-access': encodeURIComponent('支援措置担当課の依頼') };
    const open = (key: ApiKey, subjects: unknown, headers: Record<string, string> = {}) =>
      app.inject({
        method: 'POST',
        url: '/v1/visits',
        headers: auth(key, headers),
        payload: {
          lifeEvent: 'tenkyo',
          identity: { method: 'mynumber-card', verifiedBy: 'staff-1' },
          consent: { given: true },
          subjects,
        },
      });
    const adminVisit = await open(keys.admin, { householdId: '40404' }, reason);
    expect(adminVisit.statusCode, adminVisit.body).toBe(201);
    expect(adminVisit.body).toContain('丁田　学');
    const submitted = await app.inject({
      method: 'POST',
      url: `/v1/visits/${adminVisit.json().id}/submissions`,
      headers: auth(keys.admin, { 'idempotency-key': 'leak-1', ...reason }),
      payload: { formId: 'juminidou', confirmedBy: 'staff-1' },
    });
    expect(submitted.statusCode, submitted.body).toBe(202);
    const mate = persons.find((p) => p.atena_no === '10')!;
    const counterVisit = await open(keys.counter, { residentIds: [mate.id] });
    expect(counterVisit.statusCode, counterVisit.body).toBe(201);
    visitOf.set(keys.counter.id, counterVisit.json().id);

    const visits = await db.selectFrom('visits').select('id').execute();
    const submissions = await db.selectFrom('form_submissions').select('id').execute();
    const imports = await db.selectFrom('import_runs').select('id').execute();
    // The restricted, a co-resident of each kind, and one person unrelated to them.
    const sample = persons.filter((p) => ['9', '10', '12', '22', '1'].includes(p.atena_no));
    const households = ['40404', '90909', '100'];
    requests = walkRequests(app, {
      ids: [
        ...sample.map((p) => p.id),
        ...households,
        ...certificates.map((c) => c.id),
        ...imports.map((r) => r.id),
        ...visits.map((v) => v.id),
        ...submissions.map((s) => s.id),
      ],
      byName: {
        kana: ['ていだ', 'シンザキ', 'ヒダ'],
        name: ['丁田', '辛崎', '秘田'],
        birthDate: ['1979-09-19', '1936-11-25'],
        householdId: households,
        number: ['R8-097900'],
        formId: [...app.hub.mappings.forms.keys()],
        adapter: app.hub.adapters.list().map((a) => a.manifest.id),
        subject: restricted.map((p) => p.id),
      },
    });
  }, 120_000);
  afterAll(async () => app?.close());

  /** Walks every request as every viewer; the bodies that reveal a secret, and how many answered 2xx. */
  async function walk(only?: (r: WalkRequest) => boolean) {
    const leaks: string[] = [];
    const answered = new Set<string>();
    for (const viewer of viewers) {
      const visitId = visitOf.get(viewer.key.id);
      const purposes: Record<string, string>[] = [
        { 'x-purpose': encodeURIComponent('窓口での確認') },
        ...(visitId ? [{ 'x-visit-id': visitId }] : []),
      ];
      for (const r of only ? requests.filter(only) : requests) {
        for (const purpose of purposes) {
          const res = await app.inject({
            method: r.method,
            url: r.url,
            headers: auth(viewer.key, {
              ...purpose,
              ...viewer.headers,
              'idempotency-key': `walk-${leaks.length}`,
            }),
            ...(r.payload !== undefined ? { payload: r.payload as object } : {}),
          });
          if (res.statusCode < 300) answered.add(`${r.method} ${r.route}`);
          // What the caller sent itself (an id in the path, a name searched for) is not revealed to it.
          const sent = `${decodeURIComponent(r.url)} ${JSON.stringify(r.payload ?? '')}`;
          const found = secretsIn(res.body, secrets).filter((secret) => !sent.includes(secret));
          if (found.length > 0)
            leaks.push(`${viewer.label} ${r.method} ${r.url} → ${res.statusCode}: ${found.join(', ')}`);
        }
      }
    }
    return { leaks, answered };
  }

  it('reveals no restricted person, household or shared address to any client without admin and a reason', async () => {
    const { leaks, answered } = await walk();
    expect(leaks).toEqual([]);
    expect(requests.length).toBeGreaterThan(500);
    // The walk is not vacuous: the data routes did answer, with the fixture's ids.
    for (const route of [
      'GET /v1/residents',
      'GET /v1/residents/{id}',
      'GET /v1/residents/{id}/enrolments',
      'GET /v1/households/{id}',
      'GET /v1/transfer-certificates/{id}',
      'GET /v1/imports/{id}/rejects',
      'GET /v1/visits/{id}',
      'GET /v1/visits/{id}/forms/{formId}',
      'POST /v1/visits',
      'GET /v1/audit',
    ]) {
      expect(answered, route).toContain(route);
    }
  }, 600_000);

  it('finds the leak when one route skips the policy', async () => {
    const { disclosure, persons } = app.hub;
    const original = disclosure.personById;
    disclosure.personById = async (viewer, id, serialize) => {
      const row = await persons.get(id);
      if (!row) return original(viewer, id, serialize);
      const full = { myNumber: true, shielded: false, extras: privileged(viewer) };
      const { person, fields } = personView(row, full);
      return { id: row.id, body: Buffer.from(serialize(person)), fields };
    };
    try {
      const { leaks } = await walk((r) => r.route === '/v1/residents/{id}');
      expect(leaks.some((l) => l.includes('GET /v1/residents/per_'))).toBe(true);
    } finally {
      disclosure.personById = original;
    }
  }, 600_000);
});
