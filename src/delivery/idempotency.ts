import type { Kysely, Transaction } from 'kysely';
import { HubError } from '../errors.ts';
import { sha256Hex, stableStringify } from '../ingest/record-hash.ts';
import { ownerIsGone, processOwner } from '../runtime/owner.ts';
import { pauseForTest } from '../runtime/test-pause.ts';
import type { Database } from '../store/types.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/** How long an `in-flight` key whose process cannot be checked (another host) is left alone. */
const STALE_AFTER_MS = 60_000;

/**
 * Runs `work` once per (client, Idempotency-Key): the same key with the same body answers the
 * first response again; with another body 422; while the first is still running 409. `work`
 * gets the transaction in which it must write, and in which the response is stored with it.
 *
 * A key left `in-flight` by a process that was killed (its transaction rolled back, so nothing
 * of it was written) is taken over by the next request with that key: at once when the process
 * is known to be gone, else after a minute.
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
    .values({
      client_id: clientId,
      key,
      body_hash: bodyHash,
      state: 'in-flight',
      response: null,
      owner: processOwner,
    })
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
    if (prior.state === 'done' && prior.response) return prior.response as StoredResponse;
    const stale =
      ownerIsGone(prior.owner) || Date.now() - new Date(prior.created_at).getTime() > STALE_AFTER_MS;
    if (!stale) throw new HubError('HUB_ERR_IDEMPOTENCY_IN_FLIGHT', { key });
    // Take it over only if nobody else did in the meantime.
    const mine = await db
      .updateTable('idempotency_keys')
      .set({ owner: processOwner, created_at: new Date() })
      .where('client_id', '=', clientId)
      .where('key', '=', key)
      .where('state', '=', 'in-flight')
      .where((eb) => (prior.owner === null ? eb('owner', 'is', null) : eb('owner', '=', prior.owner)))
      .executeTakeFirst();
    if (Number(mine.numUpdatedRows) !== 1) throw new HubError('HUB_ERR_IDEMPOTENCY_IN_FLIGHT', { key });
  }
  try {
    return await db.transaction().execute(async (trx) => {
      // The key is ours while this transaction runs; a takeover after a stall makes this one stop.
      const held = await trx
        .selectFrom('idempotency_keys')
        .select('owner')
        .where('client_id', '=', clientId)
        .where('key', '=', key)
        .where('state', '=', 'in-flight')
        .where('owner', '=', processOwner)
        .forUpdate()
        .executeTakeFirst();
      if (!held) throw new HubError('HUB_ERR_IDEMPOTENCY_IN_FLIGHT', { key });
      const response = await work(trx);
      await pauseForTest('idempotency-before-commit');
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
    if (!(error instanceof HubError && error.code === 'HUB_ERR_IDEMPOTENCY_IN_FLIGHT')) {
      await db
        .deleteFrom('idempotency_keys')
        .where('client_id', '=', clientId)
        .where('key', '=', key)
        .where('state', '=', 'in-flight')
        .where('owner', '=', processOwner)
        .execute();
    }
    throw error;
  }
}
