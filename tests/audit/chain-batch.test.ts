import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { verifyAuditChain } from '../../src/audit/verify-chain.ts';
import { createAuditRepository } from '../../src/store/audit-repo.ts';
import { testApp } from '../helpers/app.ts';

const entry = (i: number, purpose = `照会 ${i}`) => ({
  clientId: 'counter-1',
  purpose,
  action: 'residents.read',
  subjects: [`p-${i}`],
  fields: ['name'],
});

describe('audit chain: group commit', () => {
  let app: App;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => app?.close());

  it('appends concurrent entries together, in order, in fewer statements than entries', async () => {
    let statements = 0;
    const counted = app.hub.store.db.withPlugin({
      transformQuery: (args) => {
        statements++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const audit = createAuditRepository(counted);
    await Promise.all(Array.from({ length: 50 }, (_, i) => audit.record(entry(i))));
    expect(statements).toBeGreaterThan(0);
    expect(statements).toBeLessThan(10);
    const rows = await app.hub.store.db
      .selectFrom('audit_log')
      .select(['seq', 'subjects'])
      .orderBy('seq')
      .execute();
    // Arrival order is chain order.
    expect(rows.map((r) => r.subjects[0])).toEqual(Array.from({ length: 50 }, (_, i) => `p-${i}`));
    expect(await verifyAuditChain(app.hub.audit)).toMatchObject({ ok: true, checked: 50 });
  });

  it('fails only the entry the database refuses, not the others appended with it', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        app.hub.audit.record(entry(100 + i, i === 4 ? 'nul \u0000' : undefined)),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(
      Array.from({ length: 10 }, (_, i) => (i === 4 ? 'rejected' : 'fulfilled')),
    );
    expect(await verifyAuditChain(app.hub.audit)).toMatchObject({ ok: true, checked: 59 });
  });
});
