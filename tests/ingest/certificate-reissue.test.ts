import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { keys, personal, testApp } from '../helpers/app.ts';
import { bytesSource, root } from '../helpers/files.ts';

const xml = readFileSync(path.join(root, 'fixtures', 'tenshutsu-xml', 'chigasaki-family.xml'), 'utf8');
const afterTennyu = readFileSync(path.join(root, 'fixtures', 'scenario-chigasaki', 'juki-after-tennyu.csv'));

describe('a 転出証明書 that comes again', () => {
  let app: App;
  const importXml = (text: string, name: string) =>
    app.hub.importFile(bytesSource(Buffer.from(text), name), { adapter: 'tenshutsu-xml' });
  const certificate = async (number: string) =>
    (
      await app.inject({
        method: 'GET',
        url: `/v1/transfer-certificates?number=${number}`,
        headers: personal(keys.counter),
      })
    ).json().items[0];

  beforeAll(async () => {
    app = await testApp();
    expect((await importXml(xml, 'first.xml')).status).toBe('succeeded');
  });
  afterAll(async () => app.close());

  it('stores a corrected certificate (same number, other content) as version 2 and keeps version 1', async () => {
    const before = await certificate('R8-000123');
    expect(before.version).toBe(1);
    const run = await importXml(xml.replace('梅田ハイツ１０１号室', '梅田ハイツ１０２号室'), 'corrected.xml');
    expect(run).toMatchObject({ status: 'succeeded', counts: { updated: 6 } });
    const after = await certificate('R8-000123');
    expect(after).toMatchObject({
      id: before.id,
      version: 2,
      previousAddress: { building: '梅田ハイツ１０２号室' },
    });
    expect(after.persons.map((p: { id: string }) => p.id)).toEqual(
      before.persons.map((p: { id: string }) => p.id),
    );
    const versions = await app.hub.store.db
      .selectFrom('transfer_certificate_versions')
      .select(['version', 'record'])
      .where('certificate_id', '=', before.id)
      .orderBy('version')
      .execute();
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(JSON.stringify(versions[0]!.record)).toContain('梅田ハイツ１０１号室');
  });

  it('refuses a re-issued certificate for persons already registered with its own code, not an internal error', async () => {
    const registered = await app.hub.importFile(bytesSource(afterTennyu, 'juki-after-tennyu.csv'), {
      adapter: 'juki-standard-csv',
      mode: 'delta',
    });
    expect(registered.status).toBe('succeeded');
    expect((await certificate('R8-000123')).status).toBe('registered');
    const reissued = await importXml(xml.replace('R8-000123', 'R8-000999'), 'reissued.xml');
    expect(reissued).toMatchObject({
      status: 'failed',
      error: { code: 'HUB_ERR_CERTIFICATE_REISSUED', line: 1, field: '住民票コード' },
    });
    expect(reissued.error!.message).toContain('R8-000123');
    expect(await certificate('R8-000999')).toBeUndefined();
  });

  it('refuses a re-issue of a certificate still pending the same way', async () => {
    const other = xml
      .replace('R8-000123', 'R8-000500')
      .replaceAll(
        /<住民票コード>92000000(\d\d)(\d)<\/住民票コード>/g,
        '<住民票コード>93000000$1$2</住民票コード>',
      );
    expect((await importXml(other, 'other.xml')).status).toBe('succeeded');
    const again = await importXml(other.replace('R8-000500', 'R8-000501'), 'other-reissued.xml');
    expect(again.error).toMatchObject({ code: 'HUB_ERR_CERTIFICATE_REISSUED' });
  });

  it('refuses a certificate whose field holds a NUL or a lone surrogate with a clear code, never an internal error', async () => {
    const results = [];
    for (const bad of ['&#xD800;', '\u0000']) {
      const run = await importXml(
        xml
          .replace('R8-000123', 'R8-000777')
          .replace('<氏名>山田　花子</氏名>', `<氏名>山田　花子${bad}</氏名>`),
        'bad-char.xml',
      );
      const rejects = (await app.hub.imports.rejects(run.id, 10, 0)).items;
      results.push([run.status, run.error!.code, rejects.map((r) => r.code)]);
    }
    expect(results).toEqual([
      ['failed', 'HUB_ERR_XML', []],
      ['failed', 'HUB_ERR_CERTIFICATE', ['HUB_ERR_INVALID_CHARACTER']],
    ]);
  });
});
