import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personBody } from '../../src/access/person-body.ts';
import { type PersonCut, personView } from '../../src/access/person-view.ts';
import type { App } from '../../src/app.ts';
import { allSchemas } from '../../src/schemas/index.ts';
import { Person } from '../../src/schemas/person.ts';
import type { PersonRow } from '../../src/store/types.ts';
import { testApp } from '../helpers/app.ts';
import { bytesSource, root, sampleBytes } from '../helpers/files.ts';

// The serializer Fastify builds from the `Person` response schema.
const serialize = SerializerSelector()(Object.fromEntries(allSchemas.map((s) => [s.$id!, s])))({
  schema: Type.Ref(Person),
  method: 'GET',
  url: '/v1/residents/:id',
  httpStatus: '200',
}) as (person: unknown) => string;

const cuts: PersonCut[] = [
  { myNumber: false, shielded: false, extras: false },
  { myNumber: true, shielded: false, extras: true },
  { myNumber: false, shielded: true, extras: false },
];

describe('a person answer written with its provenance template', () => {
  let app: App;
  let rows: PersonRow[];
  beforeAll(async () => {
    app = await testApp();
    await app.hub.importFile(bytesSource(sampleBytes(), 'resident_table.csv'), {
      adapter: 'juki-standard-csv',
    });
    const restricted = readFileSync(path.join(root, 'fixtures', 'restricted', 'residents.csv'));
    await app.hub.importFile(bytesSource(restricted, 'residents "quoted".csv'), {
      adapter: 'juki-standard-csv',
    });
    rows = await app.hub.store.db.selectFrom('person_records').selectAll().execute();
  });
  afterAll(async () => app?.close());

  it('is the JSON the Person schema makes of the same view, for every person and cut', () => {
    expect(rows.length).toBeGreaterThanOrEqual(27);
    // A file name that JSON must escape reaches the template.
    expect(rows.some((r) => r.provenance.source.file === 'residents "quoted".csv')).toBe(true);
    for (const row of rows)
      for (const cut of cuts) {
        const expected = JSON.parse(serialize(personView(row, cut).person));
        const { body, fields } = personBody(row, cut, serialize);
        expect(JSON.parse(body.toString('utf8')), `${row.atena_no} ${JSON.stringify(cut)}`).toEqual(expected);
        expect(fields).toEqual(personView(row, cut).fields);
      }
  });

  it('shows no provenance of a withheld field, and the line of each person', () => {
    const row = rows.find((r) => r.record.address !== undefined)!;
    const shielded = JSON.parse(personBody(row, cuts[2]!, serialize).body.toString('utf8'));
    expect(Object.keys(shielded.provenance).some((p) => p.startsWith('address'))).toBe(false);
    expect(shielded.withheld).toContain('address');
    const open = JSON.parse(personBody(row, cuts[0]!, serialize).body.toString('utf8'));
    expect(open.provenance['address.full']).toMatchObject({
      line: row.source_line,
      importId: row.last_import_id,
    });
  });
});
