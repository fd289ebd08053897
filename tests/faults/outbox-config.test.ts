import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/env.ts';
import { keys } from '../helpers/app.ts';
import { openChigasakiVisit } from '../helpers/visit.ts';

describe('files with personal data are written only where the configuration says', () => {
  it('gives an in-memory hub no outbox of its own, and stages under the temp folder, never in the current one', () => {
    const config = loadConfig({ HUB_DATA_DIR: 'memory://' });
    expect(config.outboxDir).toBeUndefined();
    expect(config.stagingDir.startsWith(tmpdir())).toBe(true);
    expect(config.stagingDir.startsWith(process.cwd())).toBe(false);
    const folder = loadConfig({ HUB_DATA_DIR: '/srv/hub' });
    expect(folder.outboxDir).toBe('/srv/hub/outbox');
    expect(folder.stagingDir).toBe('/srv/hub/staging');
    expect(loadConfig({ HUB_DATA_DIR: 'memory://', HUB_OUTBOX_DIR: '/srv/out' }).outboxDir).toBe('/srv/out');
  });

  describe('an in-memory hub without HUB_OUTBOX_DIR', () => {
    let app: App;
    beforeAll(async () => {
      app = await buildApp(
        loadConfig({
          HUB_DATA_DIR: 'memory://',
          HUB_API_KEYS: JSON.stringify(Object.values(keys)),
          LOG_LEVEL: 'silent',
        }),
      );
    });
    afterAll(async () => app.close());

    it('fails a folder delivery with HUB_ERR_OUTBOX_NOT_CONFIGURED and writes no file anywhere', async () => {
      const visitId = await openChigasakiVisit(app);
      const res = await app.inject({
        method: 'POST',
        url: `/v1/visits/${visitId}/submissions`,
        headers: { authorization: `Bearer ${keys.admin.key}`, 'idempotency-key': 'k-1' },
        payload: { formId: 'juminidou', values: {}, confirmedBy: 'staff-1' },
      });
      expect(res.statusCode).toBe(202);
      expect(await app.hub.dispatcher.runOnce()).toEqual({ delivered: 0, failed: 1, dead: 0 });
      const row = await app.hub.store.db
        .selectFrom('deliveries')
        .select(['status', 'last_error'])
        .executeTakeFirstOrThrow();
      expect(row.status).toBe('failed');
      expect(row.last_error).toContain('HUB_OUTBOX_DIR');
      expect(existsSync(path.join(process.cwd(), 'outbox'))).toBe(false);
    });
  });
});
