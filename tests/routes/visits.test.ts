import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { auth, keys, testApp } from '../helpers/app.ts';
import { bytesSource, root, sampleBytes } from '../helpers/files.ts';

const xml = readFileSync(path.join(root, 'fixtures', 'tenshutsu-xml', 'chigasaki-family.xml'));
const identity = { method: 'mynumber-card', verifiedBy: 'staff-7' };

describe('visits and 手続ナビ', () => {
  let app: App;
  let certificateId: string;
  const post = (body: unknown, key = keys.counter) =>
    app.inject({
      method: 'POST',
      url: '/v1/visits',
      headers: auth(key),
      payload: body as Record<string, unknown>,
    });

  beforeAll(async () => {
    app = await testApp();
    await app.hub.importFile(bytesSource(sampleBytes(), 'resident_table.csv'), {
      adapter: 'juki-standard-csv',
    });
    await app.hub.importFile(bytesSource(xml, 'chigasaki-family.xml'), { adapter: 'tenshutsu-xml' });
    certificateId = (await app.hub.certificates.search({ number: 'R8-000123', limit: 1, offset: 0 }))
      .items[0]!.id;
  });
  afterAll(async () => app.close());

  it('opens a 転入 visit for a certificate: 201 with its six persons, audited', async () => {
    const res = await post({
      lifeEvent: 'tennyu',
      identity,
      consent: { given: true },
      subjects: { transferCertificateId: certificateId },
      referenceDate: '2026-04-01',
    });
    expect(res.statusCode).toBe(201);
    const visit = res.json();
    expect(visit).toMatchObject({
      lifeEvent: 'tennyu',
      referenceDate: '2026-04-01',
      identity: { method: 'mynumber-card', verifiedBy: 'staff-7' },
      consent: { given: true },
    });
    expect(visit.persons.map((p: { name: string; source: string }) => [p.name, p.source])).toEqual([
      ['山田　太郎', 'certificate'],
      ['山田　花子', 'certificate'],
      ['山田　一男', 'certificate'],
      ['山田　一郎', 'certificate'],
      ['山田　二葉', 'certificate'],
      ['山田　三月', 'certificate'],
    ]);
    const again = await app.inject({
      method: 'GET',
      url: `/v1/visits/${visit.id}`,
      headers: auth(keys.counter),
    });
    expect(again.json()).toEqual(visit);
    const audit = await app.inject({
      method: 'GET',
      url: `/v1/audit?actor=counter-1`,
      headers: auth(keys.auditor),
    });
    expect(
      audit
        .json()
        .items.some(
          (a: { action: string; visitId: string }) => a.action === 'visits.open' && a.visitId === visit.id,
        ),
    ).toBe(true);
  });

  it('lists the procedures of the family with reasons, due dates and notes', async () => {
    const visit = (
      await post({
        lifeEvent: 'tennyu',
        identity,
        consent: { given: true },
        subjects: { transferCertificateId: certificateId },
        referenceDate: '2026-04-01',
      })
    ).json();
    const res = await app.inject({
      method: 'GET',
      url: `/v1/visits/${visit.id}/procedures`,
      headers: auth(keys.counter),
    });
    expect(res.statusCode).toBe(200);
    const byId = Object.fromEntries(res.json().items.map((p: { id: string }) => [p.id, p]));
    const idOf = (name: string) => visit.persons.find((p: { name: string }) => p.name === name).id;
    expect(Object.keys(byId)).toEqual([
      'juminidou',
      'mynumber-card',
      'inkan',
      'kouki',
      'kaigo',
      'jidouteate',
      'kodomoiryo',
      'school',
    ]);
    expect(byId.kouki).toMatchObject({
      formId: 'kouki',
      persons: [idOf('山田　一男')],
      reason: '山田　一男: 77歳（75歳以上）のため後期高齢者医療の資格取得が必要',
      notes: ['都道府県をまたぐ転入のため、前住所地の広域連合が交付した負担区分等証明書が必要'],
    });
    expect(byId.jidouteate.persons).toEqual([idOf('山田　一郎'), idOf('山田　二葉'), idOf('山田　三月')]);
    expect(byId.jidouteate.due.date).toBe('2026-04-15');
    expect(byId.school.persons).toEqual([idOf('山田　一郎'), idOf('山田　二葉')]);
    expect(res.json().review.map((r: { rule: string }) => r.rule)).toContain('kokuho');
  });

  it('answers 400 without consent or identity check, 404 for an unknown subject', async () => {
    const noConsent = await post({
      lifeEvent: 'tennyu',
      identity,
      consent: { given: false },
      subjects: { transferCertificateId: certificateId },
    });
    expect(noConsent.statusCode).toBe(400);
    expect(noConsent.json().code).toBe('HUB_ERR_VALIDATION');
    const noIdentity = await post({
      lifeEvent: 'tennyu',
      consent: { given: true },
      subjects: { householdId: '100' },
    });
    expect(noIdentity.statusCode).toBe(400);
    const badEvent = await post({
      lifeEvent: 'kekkon',
      identity,
      consent: { given: true },
      subjects: { householdId: '100' },
    });
    expect(badEvent.statusCode).toBe(400);
    const unknown = await post({
      lifeEvent: 'tennyu',
      identity,
      consent: { given: true },
      subjects: { transferCertificateId: 'tc_nope' },
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('opens a visit for a household and lets its id stand as the purpose of a read', async () => {
    const res = await post({
      lifeEvent: 'tenkyo',
      identity,
      consent: { given: true },
      subjects: { householdId: '400' },
    });
    expect(res.statusCode).toBe(201);
    const visit = res.json();
    expect(visit.persons).toHaveLength(4);
    const read = await app.inject({
      method: 'GET',
      url: '/v1/residents?householdId=400',
      headers: auth(keys.counter, { 'x-visit-id': visit.id }),
    });
    expect(read.statusCode).toBe(200);
    const audit = await app.inject({
      method: 'GET',
      url: `/v1/audit?actor=counter-1&limit=1`,
      headers: auth(keys.auditor),
    });
    expect(audit.json().items[0]).toMatchObject({ action: 'residents.search', visitId: visit.id });
    const other = await app.inject({
      method: 'GET',
      url: `/v1/visits/${visit.id}`,
      headers: auth(keys.admin),
    });
    expect(other.statusCode).toBe(404);
  });

  it('keeps a restricted person out of visits, and leaves the shared address to be written for co-residents', async () => {
    await app.hub.store.db
      .updateTable('persons')
      .set({ restricted: true })
      .where('atena_no', '=', '13')
      .execute();
    const household = {
      lifeEvent: 'tenkyo',
      identity,
      consent: { given: true },
      subjects: { householdId: '500' },
    };
    const refused = await post(household);
    expect(refused.statusCode).toBe(404);
    const members = await app.hub.persons.household('500');
    const restrictedId = members.find((m) => m.atena_no === '13')!.id;
    const mate = members.find((m) => m.atena_no !== '13')!;
    const byId = await post({ ...household, subjects: { residentIds: [restrictedId] } });
    expect(byId.statusCode).toBe(404);
    expect(byId.body).not.toContain(restrictedId);
    const opened = await post({ ...household, subjects: { residentIds: [mate.id] } });
    expect(opened.statusCode, opened.body).toBe(201);
    const visit = opened.json();
    expect(visit.persons.map((p: { id: string }) => p.id)).toEqual([mate.id]);
    const form = (
      await app.inject({
        method: 'GET',
        url: `/v1/visits/${visit.id}/forms/juminidou`,
        headers: auth(keys.counter),
      })
    ).json();
    const address = form.fields.find((f: { key: string }) => f.key === 'newAddress');
    expect(address).toMatchObject({ state: 'input', value: null });
    await app.hub.store.db
      .updateTable('persons')
      .set({ restricted: false })
      .where('atena_no', '=', '13')
      .execute();
  });

  it('refuses a visit for a certificate whose 転入 is complete', async () => {
    await app.hub.store.db
      .updateTable('transfer_certificates')
      .set({ status: 'registered' })
      .where('id', '=', certificateId)
      .execute();
    const res = await post({
      lifeEvent: 'tennyu',
      identity,
      consent: { given: true },
      subjects: { transferCertificateId: certificateId },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('HUB_ERR_CERTIFICATE_USED');
    await app.hub.store.db
      .updateTable('transfer_certificates')
      .set({ status: 'pending' })
      .where('id', '=', certificateId)
      .execute();
  });
});
