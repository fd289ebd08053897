import type { Kysely } from 'kysely';
import { kanaKey } from '../normalize/kana.ts';
import type { TransferCertificate } from '../schemas/transfer-certificate.ts';
import { likeEscape } from './like.ts';
import type { Database } from './types.ts';

export interface CertificateQuery {
  number?: string;
  kana?: string;
  birthDate?: string;
  /** Certificates to leave out (the disclosure policy's). */
  excludeIds?: string[];
  limit: number;
  offset: number;
}

export function createCertificatesRepository(db: Kysely<Database>) {
  async function load(ids: string[]): Promise<TransferCertificate[]> {
    if (ids.length === 0) return [];
    const certs = await db.selectFrom('transfer_certificates').selectAll().where('id', 'in', ids).execute();
    const persons = await db
      .selectFrom('transfer_persons')
      .selectAll()
      .where('certificate_id', 'in', ids)
      .orderBy('position')
      .execute();
    const byId = new Map(certs.map((c) => [c.id, c]));
    return ids
      .map((id) => byId.get(id))
      .filter((c) => c !== undefined)
      .map((c) => {
        const r = c.record;
        return {
          id: c.id,
          number: c.number,
          ...(r.issuedOn ? { issuedOn: r.issuedOn } : {}),
          issuingMunicipality: {
            ...(r.issuingCode ? { code: r.issuingCode } : {}),
            ...(r.issuingName ? { name: r.issuingName } : {}),
          },
          ...(r.plannedMoveOn ? { plannedMoveOn: r.plannedMoveOn } : {}),
          ...(r.previousAddress ? { previousAddress: r.previousAddress } : {}),
          ...(r.destination ? { destination: r.destination } : {}),
          ...(r.headName ? { headName: r.headName } : {}),
          status: c.status,
          persons: persons
            .filter((p) => p.certificate_id === c.id)
            .map((p) => ({
              id: p.id,
              ...p.record,
              ...(p.matched_person_id ? { matchedPersonId: p.matched_person_id } : {}),
            })),
          provenance: {
            adapter: 'tenshutsu-xml',
            importId: c.import_id,
            file: c.file_name,
            asOf: new Date(c.as_of).toISOString(),
          },
          updatedAt: new Date(c.updated_at).toISOString(),
        };
      });
  }

  return {
    get: async (id: string) => (await load([id]))[0],
    /** Certificates by 証明書番号, or by kana (prefix) and birth date of any person in them. */
    async search(q: CertificateQuery): Promise<{ items: TransferCertificate[]; total: number }> {
      let query = db.selectFrom('transfer_certificates as c');
      if (q.number) query = query.where('c.number', '=', q.number.trim());
      if (q.excludeIds?.length) query = query.where('c.id', 'not in', q.excludeIds);
      if (q.kana || q.birthDate) {
        query = query.where(({ exists, selectFrom }) => {
          let sub = selectFrom('transfer_persons as p')
            .select('p.id')
            .whereRef('p.certificate_id', '=', 'c.id');
          if (q.kana) sub = sub.where('p.kana_key', 'like', `${likeEscape(kanaKey(q.kana))}%`);
          if (q.birthDate) sub = sub.where('p.birth_iso', '=', q.birthDate);
          return exists(sub);
        });
      }
      const rows = await query
        .select('c.id')
        .orderBy('c.updated_at', 'desc')
        .orderBy('c.id')
        .limit(q.limit)
        .offset(q.offset)
        .execute();
      const { total } = await query
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .executeTakeFirstOrThrow();
      return { items: await load(rows.map((r) => r.id)), total: Number(total) };
    },
  };
}

export type CertificatesRepository = ReturnType<typeof createCertificatesRepository>;
