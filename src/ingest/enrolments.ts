import { TypeCompiler } from '@sinclair/typebox/compiler';
import { type Insertable, sql, type Transaction } from 'kysely';
import { errorMessage } from '../errors.ts';
import { newId } from '../ids.ts';
import type { MappingCatalog } from '../mapping/catalog.ts';
import type { CompiledMapping } from '../mapping/compile.ts';
import { HubDate } from '../schemas/common.ts';
import { EnrolmentRecord, Program } from '../schemas/enrolment.ts';
import type { ReadItem } from '../sdk/adapter.ts';
import type { RejectInput } from '../store/imports-repo.ts';
import { published } from '../store/published.ts';
import type { Database } from '../store/types.ts';
import { keyOf, mapItem, type RunProgress, rejectCollector, takeMeta } from './map-item.ts';
import { sha256Hex, stableStringify } from './record-hash.ts';
import { loopYielder } from './yield-to-loop.ts';

const check = TypeCompiler.Compile(EnrolmentRecord, [HubDate, Program]);

interface Candidate {
  line: number;
  key: string;
  record: EnrolmentRecord;
  raw: Uint8Array;
}

/**
 * Imports a departmental file as enrolments, in batches. A row whose 宛名番号 is not in the
 * register is stored unlinked and reported (HUB_ERR_UNKNOWN_PERSON); it is linked when the
 * person's 住記 record arrives (`linkEnrolments`). Unchanged rows are not rewritten.
 */
export async function ingestEnrolments(
  trx: Transaction<Database>,
  mapping: CompiledMapping,
  items: AsyncIterable<ReadItem>,
  run: RunProgress,
  batchSize: number,
  mappings: MappingCatalog,
): Promise<void> {
  let batch: Candidate[] = [];
  const rejects = rejectCollector(trx, run);
  const reject = (r: RejectInput) => rejects.add(r);
  const flush = async () => {
    await writeEnrolments(trx, batch, run, reject);
    batch = [];
    await rejects.flush();
  };
  const pause = loopYielder();
  for await (const item of items) {
    await pause();
    if (item.kind === 'meta') {
      takeMeta(item, mapping, run);
      continue;
    }
    run.counts.read++;
    if (item.kind === 'reject') reject(item);
    else {
      const mapped = mapItem(item, mapping, check, run, mappings);
      if (mapped.kind === 'reject') reject(mapped.reject);
      else if (mapped.kind === 'record') {
        const record = mapped.record as EnrolmentRecord;
        batch.push({
          line: item.line,
          key: keyOf(mapping, record),
          record: withStatus(record),
          raw: item.raw,
        });
      } else run.counts.skipped++;
    }
    if (batch.length >= batchSize) await flush();
  }
  await flush();
}

/** Without a status from the source, an enrolment is active until its end date has passed. */
function withStatus(r: EnrolmentRecord): EnrolmentRecord {
  if (r.status) return r;
  const today = new Date().toISOString().slice(0, 10);
  return { ...r, status: r.until?.iso && r.until.iso < today ? 'ended' : 'active' };
}

async function writeEnrolments(
  trx: Transaction<Database>,
  batch: Candidate[],
  run: RunProgress,
  reject: (r: RejectInput) => void,
): Promise<void> {
  if (batch.length === 0) return;
  const last = new Map<string, Candidate>();
  for (const c of batch) last.set(c.key, c);
  const unique = [...last.values()];
  const persons = await trx
    .selectFrom('persons')
    .select(['id', 'atena_no'])
    .where('atena_no', 'in', [...new Set(unique.map((c) => c.record.atenaNo))])
    .where(published('persons'))
    .execute();
  const personByAtena = new Map(persons.map((p) => [p.atena_no, p.id]));
  const prior = await trx
    .selectFrom('enrolments')
    .select(['source_key', 'record_hash'])
    .where(
      'source_key',
      'in',
      unique.map((c) => c.key),
    )
    .execute();
  const hashByKey = new Map(prior.map((p) => [p.source_key, p.record_hash]));
  const now = new Date();
  const rows: Insertable<Database['enrolments']>[] = [];
  for (const c of unique) {
    const json = stableStringify(c.record);
    const hash = sha256Hex(json);
    const personId = personByAtena.get(c.record.atenaNo) ?? null;
    if (!personId) {
      reject({
        line: c.line,
        field: '宛名番号',
        code: 'HUB_ERR_UNKNOWN_PERSON',
        message: errorMessage('HUB_ERR_UNKNOWN_PERSON', { atenaNo: c.record.atenaNo }),
        raw: c.raw,
      });
    }
    const before = hashByKey.get(c.key);
    if (before === hash) {
      if (personId) run.counts.unchanged++;
      continue;
    }
    if (personId) {
      if (before === undefined) run.counts.inserted++;
      else run.counts.updated++;
    }
    rows.push({
      id: newId('enr'),
      source_key: c.key,
      program: c.record.program,
      atena_no: c.record.atenaNo,
      person_id: personId,
      record: json,
      record_hash: hash,
      provenance: JSON.stringify({
        adapter: run.adapter,
        importId: run.id,
        file: run.file,
        line: c.line,
        asOf: run.asOf,
      }),
      updated_at: now,
    });
  }
  if (rows.length === 0) return;
  // One statement per batch (keys are unique within it), like the persons' upsert.
  await trx
    .insertInto('enrolments')
    .values(rows)
    .onConflict((oc) =>
      oc.column('source_key').doUpdateSet((eb) => ({
        person_id: eb.ref('excluded.person_id'),
        record: eb.ref('excluded.record'),
        record_hash: eb.ref('excluded.record_hash'),
        provenance: eb.ref('excluded.provenance'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

/** Links waiting enrolments to persons that have just entered the register. */
export async function linkEnrolments(trx: Transaction<Database>, personIds: string[]): Promise<number> {
  if (personIds.length === 0) return 0;
  const result = await sql`
    update enrolments e set person_id = p.id, updated_at = now()
    from persons p
    where e.person_id is null and e.atena_no = p.atena_no and p.id in (${sql.join(personIds)}) and ${published('p')}`.execute(
    trx,
  );
  return Number(result.numAffectedRows ?? 0);
}
