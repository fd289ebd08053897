import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import type { ApiKey } from '../../src/config/env.ts';
import { auth, keys, personal, testApp } from '../helpers/app.ts';
import { bytesSource, root } from '../helpers/files.ts';

const fixture = (name: string) => readFileSync(path.join(root, 'fixtures', 'restricted', name));
const identity = { method: 'mynumber-card', verifiedBy: 'staff-1' };

/** The six routes by which a restricted person's address or household leaked, one test each. */
describe('restricted persons through the routes that leaked them', () => {
  let app: App;
  const id = new Map<string, string>();
  const get = (url: string, headers: Record<string, string>) => app.inject({ method: 'GET', url, headers });
  const openVisit = (key: ApiKey, subjects: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/v1/visits',
      headers: auth(key, headers),
      payload: { lifeEvent: 'tenkyo', identity, consent: { given: true }, subjects },
    });

  beforeAll(async () => {
    app = await testApp();
    await app.hub.importFile(bytesSource(fixture('residents.csv'), 'residents.csv'), {
      adapter: 'juki-standard-csv',
    });
    await app.hub.importFile(bytesSource(fixture('certificate.xml'), 'certificate.xml'), {
      adapter: 'tenshutsu-xml',
    });
    await app.hub.importFile(bytesSource(fixture('kokuho.csv'), 'kokuho.csv'), { adapter: 'kokuho-csv' });
    for (const p of await app.hub.store.db.selectFrom('persons').select(['id', 'atena_no']).execute()) {
      id.set(p.atena_no, p.id);
    }
  });
  afterAll(async () => app.close());

  it('1. a visit by household leaves the restricted person out, and its form shows no address', async () => {
    expect((await openVisit(keys.counter, { householdId: '40404' })).statusCode).toBe(404);
    const visit = await openVisit(keys.counter, { residentIds: [id.get('10'), id.get('11')] });
    expect(visit.statusCode).toBe(201);
    expect(visit.body).not.toContain('丁田　学');
    const form = await app.inject({
      method: 'GET',
      url: `/v1/visits/${visit.json().id}/forms/juminidou`,
      headers: auth(keys.counter),
    });
    expect(form.statusCode).toBe(200);
    expect(form.body).not.toContain('丁田　学');
    expect(form.body).not.toContain('７７番地の７');
    expect(form.body).not.toContain('ヒトク');
  });

  it('2. a certificate search by kana does not show the certificate of a restricted person', async () => {
    const res = await get(
      `/v1/transfer-certificates?kana=${encodeURIComponent('シンザキ')}`,
      personal(keys.counter),
    );
    expect(res.json()).toEqual({ items: [], total: 0 });
    const full = await get(
      `/v1/transfer-certificates?kana=${encodeURIComponent('シンザキ')}`,
      personal(keys.admin, { 'x-restricted-access': 'reason' }),
    );
    expect(full.json().items[0].destination.full).toContain('８８番地の８');
  });

  it('3. unmapped columns (extras) are shown to admin only', async () => {
    await app.hub.store.db
      .updateTable('persons')
      .set({
        record: JSON.stringify({
          ...(await app.hub.persons.get(id.get('1')!))!.record,
          extras: { 転居予定先メモ: '予定先メモ' },
        }),
      })
      .where('atena_no', '=', '1')
      .execute();
    const counter = await get(`/v1/residents/${id.get('1')}`, personal(keys.counter));
    expect(counter.json().extras).toBeUndefined();
    expect(counter.json().withheld).toContain('extras');
    const admin = await get(`/v1/residents/${id.get('1')}`, personal(keys.admin));
    expect(admin.json().extras).toEqual({ 転居予定先メモ: '予定先メモ' });
  });

  it('4. enrolments of a co-resident do not show the household number, and the restricted person has none to show', async () => {
    const mate = await get(`/v1/residents/${id.get('10')}/enrolments`, personal(keys.counter));
    expect(mate.statusCode).toBe(200);
    expect(mate.json().items).toHaveLength(1);
    expect(mate.body).not.toContain('40404');
    const restricted = await get(`/v1/residents/${id.get('9')}/enrolments`, personal(keys.counter));
    expect(restricted.statusCode).toBe(404);
  });

  it('5. a household search or read answers the restricted household like an unknown one', async () => {
    const search = await get('/v1/residents?householdId=40404', personal(keys.counter));
    expect(search.json()).toEqual({ items: [], total: 0 });
    const household = await get('/v1/households/40404', personal(keys.counter));
    const unknown = await get('/v1/households/12345', personal(keys.counter));
    expect(household.statusCode).toBe(404);
    expect(household.body).toBe(unknown.body);
  });

  it('6. the raw row of a rejected row that sets a restriction flag is withheld', async () => {
    const run = await app.hub.store.db
      .selectFrom('import_runs')
      .select('id')
      .where('file_name', '=', 'residents.csv')
      .executeTakeFirstOrThrow();
    const res = await get(`/v1/imports/${run.id}/rejects`, personal(keys.importer));
    const [reject] = res.json().items;
    expect(reject).toMatchObject({ line: 29, field: '生年月日', withheld: ['raw'] });
    expect(reject.raw).toBeUndefined();
    const full = await get(
      `/v1/imports/${run.id}/rejects`,
      personal(keys.admin, { 'x-restricted-access': 'fix the file' }),
    );
    expect(Buffer.from(full.json().items[0].raw, 'base64').toString()).toContain('ヒトク隠れ家');
  });

  it('a visit id is a purpose for that visit’s persons only', async () => {
    const visit = (await openVisit(keys.counter, { residentIds: [id.get('1')] })).json();
    const own = await get(`/v1/residents/${id.get('1')}`, auth(keys.counter, { 'x-visit-id': visit.id }));
    expect(own.statusCode).toBe(200);
    const other = await get(`/v1/residents/${id.get('2')}`, auth(keys.counter, { 'x-visit-id': visit.id }));
    expect(other.statusCode).toBe(404);
  });

  it('audits the read and the redelivery of a submission', async () => {
    const visit = (await openVisit(keys.admin, { residentIds: [id.get('1')] })).json();
    const submitted = await app.inject({
      method: 'POST',
      url: `/v1/visits/${visit.id}/submissions`,
      headers: auth(keys.admin, { 'idempotency-key': 'audit-1' }),
      payload: { formId: 'juminidou', confirmedBy: 'staff-1' },
    });
    const submissionId = submitted.json().id;
    await get(`/v1/submissions/${submissionId}`, auth(keys.admin, { 'x-staff-id': 'staff-9' }));
    await app.inject({
      method: 'POST',
      url: `/v1/submissions/${submissionId}/redeliver`,
      headers: auth(keys.admin),
    });
    const audit = await get(`/v1/audit?subject=${id.get('1')}`, auth(keys.auditor));
    const actions = audit.json().items.map((i: { action: string }) => i.action);
    expect(actions).toContain('submissions.read');
    expect(actions).toContain('submissions.redeliver');
    expect(audit.json().items.find((i: { action: string }) => i.action === 'submissions.read').staffId).toBe(
      'staff-9',
    );
  });
});
