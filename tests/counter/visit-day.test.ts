import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { auth, keys, testApp } from '../helpers/app.ts';
import { openChigasakiVisit } from '../helpers/visit.ts';

describe('visits over a counter day', () => {
  let app: App;
  let visitId: string;
  let other: string;
  const get = async (url: string) =>
    (await app.inject({ method: 'GET', url, headers: auth(keys.admin) })).json();
  const close = (id: string, payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: `/v1/visits/${id}/close`, headers: auth(keys.admin), payload });

  beforeAll(async () => {
    app = await testApp();
    visitId = await openChigasakiVisit(app);
    other = await openChigasakiVisit(app);
    await app.hub.store.db
      .updateTable('visits')
      .set({ staff_id: 'staff-2' })
      .where('id', '=', other)
      .execute();
  });
  afterAll(async () => app.close());

  it('lists today’s visits newest first, by staff, status and life event, with optional paging', async () => {
    const today = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
    const all = await get(`/v1/visits?date=${today}`);
    expect(all.total).toBe(2);
    expect(all.items.map((v: { id: string }) => v.id)).toEqual([other, visitId]);
    expect(all.items[0]).toMatchObject({
      status: 'open',
      lifeEvent: 'tennyu',
      visitDate: today,
      submissions: 0,
    });
    expect(all.items[0].subjects).toHaveProperty('transferCertificateId');
    expect((await get('/v1/visits?staffId=staff-1')).items.map((v: { id: string }) => v.id)).toEqual([
      visitId,
    ]);
    expect((await get('/v1/visits?lifeEvent=tenkyo')).total).toBe(0);
    expect((await get('/v1/visits?date=2000-01-01')).total).toBe(0);
    const page = await get('/v1/visits?limit=1&offset=1');
    expect(page).toMatchObject({ total: 2, items: [{ id: visitId }] });
    const another = await app.inject({ method: 'GET', url: '/v1/visits', headers: auth(keys.counter) });
    expect(another.json().total).toBe(0);
  });

  it('lists a visit’s submissions with a delivery summary and tells accepted from due per 手続ナビ', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/v1/visits/${visitId}/submissions`,
      headers: auth(keys.admin, { 'idempotency-key': 'day-1' }),
      payload: { formId: 'juminidou', values: {}, confirmedBy: 'staff-1' },
    });
    expect(res.statusCode).toBe(202);
    const list = await get(`/v1/visits/${visitId}/submissions`);
    expect(list.items).toEqual([
      expect.objectContaining({
        formId: 'juminidou',
        state: 'pending',
        deliveries: { pending: 1, delivered: 0, failed: 0, dead: 0 },
        handoff: { kind: 'system', targets: ['juki-idou-csv'] },
      }),
    ]);
    await app.hub.dispatcher.runOnce();
    expect((await get(`/v1/visits/${visitId}/submissions`)).items[0].state).toBe('delivered');
    const progress = await get(`/v1/visits/${visitId}/progress`);
    const byId = Object.fromEntries(progress.items.map((i: { procedureId: string }) => [i.procedureId, i]));
    expect(byId.juminidou).toMatchObject({ state: 'accepted', formId: 'juminidou' });
    expect(byId.kouki).toMatchObject({ state: 'due', formId: 'kouki' });
    expect(byId.school).toMatchObject({ state: 'no-form' });
    expect(byId.jidouteate.due.date).toBe('2026-04-15');
    expect(progress.totals.accepted).toBe(1);
    expect(progress.totals.due + progress.totals.accepted + progress.totals.noForm).toBe(
      progress.items.length,
    );
  });

  it('completes a visit, cancels another only with a reason, and refuses submissions to a closed visit', async () => {
    const noReason = await close(other, { status: 'cancelled', by: 'staff-2' });
    expect(noReason.statusCode).toBe(400);
    const cancelled = await close(other, {
      status: 'cancelled',
      by: 'staff-2',
      reason: '書類不足のため後日来庁',
    });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({
      status: 'cancelled',
      closeReason: '書類不足のため後日来庁',
      closedBy: 'staff-2',
    });
    const done = await close(visitId, { status: 'completed', by: 'staff-1' });
    expect(done.json()).toMatchObject({ status: 'completed', submissions: 1 });
    const again = await close(visitId, { status: 'cancelled', by: 'staff-1', reason: 'x' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('HUB_ERR_VISIT_CLOSED');
    const late = await app.inject({
      method: 'POST',
      url: `/v1/visits/${visitId}/submissions`,
      headers: auth(keys.admin, { 'idempotency-key': 'day-2' }),
      payload: { formId: 'kouki', values: {}, confirmedBy: 'staff-1' },
    });
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('HUB_ERR_VISIT_CLOSED');
    expect((await get('/v1/visits?status=open')).total).toBe(0);
    expect((await get('/v1/visits?status=completed')).items.map((v: { id: string }) => v.id)).toEqual([
      visitId,
    ]);
    expect((await get(`/v1/visits/${visitId}`)).status).toBe('completed');
  });
});

describe('schema errors for staff', () => {
  it('names the field and says what is wrong in Japanese, not the validator’s English', async () => {
    const app = await testApp();
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/visits',
        headers: auth(keys.admin),
        payload: { lifeEvent: 'tennyu', consent: { given: true }, subjects: { householdId: '1' } },
      });
      expect(res.statusCode).toBe(400);
      const body = res.json();
      expect(body.detail).toContain('本文の内容が正しくありません');
      expect(body.errors).toContainEqual({
        field: 'identity',
        message: 'identity を指定してください（必須）',
      });
      expect(JSON.stringify(body)).not.toMatch(/must /);
    } finally {
      await app.close();
    }
  });
});
