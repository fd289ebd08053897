/**
 * Audit chain benchmark: appends per second, one at a time and 10 at once (on PostgreSQL also
 * from two connection pools, as two hub instances would), against a plain unchained insert of
 * the same row as baseline; then the chain check's rows per second. Ends by verifying the chain.
 *
 *   node --import tsx bench/audit-append.ts                 (PGlite in memory)
 *   DATABASE_URL=postgres://… node --import tsx bench/audit-append.ts
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { verifyAuditChain } from '../src/audit/verify-chain.ts';
import { createAuditRepository } from '../src/store/audit-repo.ts';
import { createStore, type Store } from '../src/store/db.ts';

const N = Number(process.env.BENCH_ROWS ?? 2000);
const url = process.env.DATABASE_URL;
const schema = url ? `bench_${randomBytes(4).toString('hex')}` : undefined;
const open = () =>
  createStore({
    dataDir: 'memory://',
    ...(url && schema ? { databaseUrl: url, databaseSchema: schema } : {}),
  });

const entry = (i: number) => ({
  clientId: 'counter-1',
  staffId: 'staff-1',
  purpose: '窓口での本人確認',
  action: 'residents.read',
  subjects: [`p-${i}`, `p-${i + 1}`],
  fields: ['name', 'address', 'birthDate'],
  requestId: `req-${i}`,
});

async function rate(label: string, n: number, concurrency: number, append: (i: number) => Promise<unknown>) {
  const t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await append(next++);
    }),
  );
  const perSecond = (n / (performance.now() - t)) * 1000;
  console.log(`${label.padEnd(44)} ${perSecond.toFixed(0).padStart(7)} /s`);
  return perSecond;
}

const store: Store = await open();
const other: Store | undefined = url ? await open() : undefined;
try {
  await store.migrate();
  const audit = createAuditRepository(store.db);
  const plain = (i: number) => {
    const e = entry(i);
    return sql`insert into audit_log (client_id, staff_id, purpose, action, subjects, fields, request_id, seq, prev_hash, hash)
      values (${e.clientId}, ${e.staffId}, ${e.purpose}, ${e.action}, ${JSON.stringify(e.subjects)}::jsonb,
      ${JSON.stringify(e.fields)}::jsonb, ${e.requestId}, ${-1 - i}, '', '')`.execute(store.db);
  };
  console.log(`${store.kind}, ${N} rows per line`);
  const base1 = await rate('baseline: plain insert, 1 at a time', N, 1, plain);
  await sql`delete from audit_log`.execute(store.db);
  const base10 = await rate('baseline: plain insert, 10 at once', N, 10, (i) => plain(N + i));
  await sql`delete from audit_log`.execute(store.db);
  const one = await rate('chained append, 1 at a time', N, 1, (i) => audit.record(entry(i)));
  const ten = await rate('chained append, 10 at once', N, 10, (i) => audit.record(entry(i)));
  console.log(
    `ratio chained/plain: 1 at a time ${(one / base1).toFixed(2)}, 10 at once ${(ten / base10).toFixed(2)}`,
  );
  if (other) {
    const second = createAuditRepository(other.db);
    await rate('chained append, 2 instances x 10 at once', N, 20, (i) =>
      (i % 2 ? second : audit).record(entry(i)),
    );
  }
  const t = performance.now();
  const result = await verifyAuditChain(audit);
  const ms = performance.now() - t;
  console.log(
    `verify: ${result.checked} rows in ${ms.toFixed(0)} ms (${((result.checked / ms) * 1000).toFixed(0)} rows/s), ok=${result.ok}`,
  );
  if (!result.ok) throw new Error(JSON.stringify(result.firstBad));
} finally {
  await other?.close();
  await store.close();
  if (url && schema) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
}
