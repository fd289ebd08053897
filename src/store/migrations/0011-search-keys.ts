import type { Kysely } from 'kysely';
import { personSearchKeys, transferPersonSearchKeys } from '../../ingest/search-keys.ts';
import type { PersonRecord } from '../../schemas/person.ts';
import type { TransferPersonRecord } from '../../schemas/transfer-certificate.ts';

interface Rekeyed {
  persons: {
    id: string;
    record: unknown;
    kana_key: string;
    name_key: string;
    kana_exact: string;
    name_exact: string;
    address_key: string;
  };
  transfer_persons: { id: string; record: unknown; kana_key: string; name_key: string };
}

const PAGE = 1000;

function parsed<T>(record: unknown): T {
  return (typeof record === 'string' ? JSON.parse(record) : record) as T;
}

/**
 * Variant-aware search keys: exact keys to rank exact spellings first, an address match key,
 * and every existing row re-keyed with the folding keys of src/normalize (異体字, IVS, small kana).
 */
export async function up(untyped: Kysely<unknown>): Promise<void> {
  const db = untyped as unknown as Kysely<Rekeyed>;
  for (const column of ['kana_exact', 'name_exact', 'address_key']) {
    await db.schema
      .alterTable('persons')
      .addColumn(column, 'text', (c) => c.notNull().defaultTo(''))
      .execute();
  }
  for (let after = ''; ; ) {
    const rows = await db
      .selectFrom('persons')
      .select(['id', 'record'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    for (const r of rows) {
      await db
        .updateTable('persons')
        .set(personSearchKeys(parsed<PersonRecord>(r.record)))
        .where('id', '=', r.id)
        .execute();
    }
    if (rows.length < PAGE) break;
    after = rows.at(-1)!.id;
  }
  for (let after = ''; ; ) {
    const rows = await db
      .selectFrom('transfer_persons')
      .select(['id', 'record'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    for (const r of rows) {
      await db
        .updateTable('transfer_persons')
        .set(transferPersonSearchKeys(parsed<Omit<TransferPersonRecord, 'certificate'>>(r.record)))
        .where('id', '=', r.id)
        .execute();
    }
    if (rows.length < PAGE) break;
    after = rows.at(-1)!.id;
  }
}

export async function down(untyped: Kysely<unknown>): Promise<void> {
  for (const column of ['kana_exact', 'name_exact', 'address_key']) {
    await untyped.schema.alterTable('persons').dropColumn(column).execute();
  }
}
