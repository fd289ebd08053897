import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { committedCases } from '../../fixtures/hostile/generate.ts';
import type { App } from '../../src/app.ts';
import { myNumberCheckDigit } from '../../src/normalize/check-digits.ts';
import { auth, keys, personal, testApp } from '../helpers/app.ts';
import { root, sampleLines, withColumn } from '../helpers/files.ts';
import { fixtureFiles, fixtureSecrets, secretsIn } from '../helpers/fixture-secrets.ts';

const xml = readFileSync(path.join(root, 'fixtures', 'tenshutsu-xml', 'chigasaki-family.xml'), 'utf8');
const afterTennyu = readFileSync(path.join(root, 'fixtures', 'scenario-chigasaki', 'juki-after-tennyu.csv'));
const myNumber = (n: number) => {
  const body = String(91100000000 + n);
  return `${body}${myNumberCheckDigit(body)}`;
};

/** The sample with a 個人番号 column, one row with a NUL in its name, one with one in its 個人番号. */
function hostileSample(): Buffer {
  const [header, ...rows] = sampleLines() as [string, ...string[]];
  const lines = rows.map((r, i) => `${r},${myNumber(i)}`);
  const h = `${header},個人番号`;
  lines[0] = withColumn(h, lines[0]!, '氏名', `${rows[0]!.split(',')[18]}\u0000`);
  lines[1] = `${lines[1]!.slice(0, -12)}${myNumber(1).slice(0, 6)}\u0000${myNumber(1).slice(6)}`;
  // A lone surrogate cannot be UTF-8: as bytes it is ED A0 80, an invalid sequence.
  const text = [h, ...lines].join('\n');
  const [a, b] = [text.indexOf(rows[2]!.split(',')[18]!), rows[2]!.split(',')[18]!.length];
  return Buffer.concat([
    Buffer.from(text.slice(0, a + b), 'utf8'),
    Buffer.from([0xed, 0xa0, 0x80]),
    Buffer.from(text.slice(a + b), 'utf8'),
  ]);
}

describe('logs carry no personal data, whatever the input (fixtures/**, fixtures/hostile, hostile variants)', () => {
  let app: App;
  const lines: string[] = [];
  let secrets: Set<string>;

  const upload = (adapter: string, name: string, body: Buffer) =>
    app.inject({
      method: 'POST',
      url: `/v1/imports?adapter=${adapter}`,
      headers: auth(keys.admin, {
        'content-type': 'application/octet-stream',
        'x-file-name': encodeURIComponent(name),
      }),
      body,
    });

  beforeAll(async () => {
    secrets = await fixtureSecrets();
    for (let i = 0; i < 30; i++) secrets.add(myNumber(i));
    app = await testApp({ logLevel: 'trace', logLines: lines });
  });
  afterAll(async () => app.close());

  it('finds the fixtures’ names, kana, addresses and 個人番号 to look for', () => {
    expect(secrets.size).toBeGreaterThan(100);
    for (const s of ['山田　太郎', 'ヤマダ　タロウ', '920000000010', '1234567890'])
      expect(secrets.has(s), s).toBe(true);
  });

  it('imports every fixture and every hostile variant at trace level without a secret in the log', async () => {
    for (const f of fixtureFiles()) {
      const res = await upload(f.adapter, path.basename(f.file), f.bytes);
      expect(res.statusCode, f.file).toBe(201);
    }
    for (const c of committedCases().filter((h) => /\.(csv|xml)$/.test(h.name))) {
      const res = await upload(
        c.name.endsWith('.xml') ? 'tenshutsu-xml' : 'juki-standard-csv',
        c.name,
        c.bytes,
      );
      expect(res.statusCode, c.name).toBe(201);
    }
    const nul = await upload('juki-standard-csv&encoding=utf-8', 'nul.csv', hostileSample());
    expect(nul.json(), JSON.stringify(nul.json().error)).toMatchObject({
      status: 'partial',
      counts: { rejected: 3 },
    });
    const evil = xml
      .replace('<氏名>山田　花子</氏名>', '<氏名>山田　花子&#xD800;</氏名>')
      .replace('R8-000123', 'R8-000124');
    expect((await upload('tenshutsu-xml', 'surrogate.xml', Buffer.from(evil))).json().status).toBe('failed');
    await upload('tenshutsu-xml', 'chigasaki-family.xml', Buffer.from(xml));
    await upload('juki-standard-csv', 'juki-after-tennyu.csv', afterTennyu);
    const reissued = await upload(
      'tenshutsu-xml',
      'reissued.xml',
      Buffer.from(xml.replace('R8-000123', 'R8-000999').replace('１０１号室', '１０２号室')),
    );
    expect(reissued.json().status).toBe('failed');

    for (const url of [
      `/v1/residents?name=${encodeURIComponent('山田')}&kana=${encodeURIComponent('ヤマダ')}`,
      `/v1/transfer-certificates?kana=${encodeURIComponent('ヤマダ　タロウ')}`,
      `/v1/no-such-route/${encodeURIComponent('山田　太郎')}/920000000010`,
    ])
      await app.inject({ method: 'GET', url, headers: personal(keys.admin) });

    // A database error, whatever its statement carried, is logged without parameters or detail.
    const failed = await sql`select ${'山田　太郎 920000000010'}::int as n`
      .execute(app.hub.store.db)
      .catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(Error);
    app.log.error({ err: failed }, 'query failed');

    const text = lines.join('');
    expect(text).toContain('query failed');
    expect(text).toContain('import finished');
    expect(secretsIn(text, secrets)).toEqual([]);
    for (const s of ['山田', 'ヤマダ', encodeURIComponent('山田'), '\\u0000'])
      expect(text, s).not.toContain(s);
  });
});
