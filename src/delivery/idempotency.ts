import type { Kysely, Transaction } from 'kysely';
import { HubError } from '../errors.ts';
import { sha256Hex, stableStringify } from '../ingest/record-hash.ts';
import type { Database } from '../store/types.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/**
 * Runs `work` once per (client, Idempotency-Key): the same key with the same body answers the
 * first response again; with another body 422; while the first is still running 409. `work`
 * gets the transaction in which it must write, and in which the response is stored with it.
 */
export async function withIdempotency(
  db: Kysely<Database>,
  clientId: string,
  key: string,
  body: unknown,
  work: (trx: Transaction<Database>) => Promise<StoredResponse>,
): Promise<StoredResponse> {
  const bodyHash = sha256Hex(stableStringify(body));
  const taken = await db
    .insertInto('idempotency_keys')
    .values({ client_id: clientId, key, body_hash: bodyHash, state: 'in-flight', response: null })
    .onConflict((oc) => oc.doNothing())
    .returning('key')
    .executeTakeFirst();
  if (!taken) {
    const prior = await db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('client_id', '=', clientId)
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    if (prior.body_hash !== bodyHash) throw new HubError('HUB_ERR_IDEMPOTENCY_MISMATCH', { key });
    if (prior.state !== 'done' || !prior.response)
      throw new HubError('HUB_ERR_IDEMPOTENCY_IN_FLIGHT', { key });
    return prior.response as StoredResponse;
  }
  try {
    return await db.transaction().execute(async (trx) => {
      const response = await work(trx);
      await trx
        .updateTable('idempotency_keys')
        .set({ state: 'done', response: JSON.stringify(response) })
        .where('client_id', '=', clientId)
        .where('key', '=', key)
        .execute();
      return response;
    });
  } catch (error) {
    // Nothing was written: the same key may be tried again.
    await db
      .deleteFrom('idempotency_keys')
      .where('client_id', '=', clientId)
      .where('key', '=', key)
      .execute();
    throw error;
  }
}
