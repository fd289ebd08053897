import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { verificationText } from '../../src/audit/verification-text.ts';
import { main } from '../../src/cli/main.ts';
import { createAuditRepository } from '../../src/store/audit-repo.ts';
import { createStore, type Store } from '../../src/store/db.ts';
import { onPostgres } from '../helpers/app.ts';
import { cliWorkspace } from '../helpers/cli.ts';

const { schema, env, cli, dropSchema } = cliWorkspace('hub-audit-cli-');

/** The database the CLI uses, opened in this process while no CLI runs. */
async function withStore<T>(f: (store: Store) => Promise<T>): Promise<T> {
  const store = await createStore({
    dataDir: env.HUB_DATA_DIR,
    ...(onPostgres ? { databaseUrl: process.env.DATABASE_URL!, databaseSchema: schema } : {}),
  });
  try {
    await store.migrate();
    return await f(store);
  } finally {
    await store.close();
  }
}

describe('madoguchi-hub audit verify', () => {
  afterAll(dropSchema);

  it('exits 0 on an intact chain and 1 naming the first bad row after a row is deleted', {
    timeout: 240_000,
  }, async () => {
    const ids = await withStore(async (store) => {
      const audit = createAuditRepository(store.db);
      for (const requestId of ['r1', 'r2', 'r3'])
        await audit.record({
          clientId: 'counter-1',
          action: 'residents.read',
          subjects: ['p-1'],
          fields: [],
          requestId,
        });
      return (await store.db.selectFrom('audit_log').select('id').orderBy('seq').execute()).map((r) => r.id);
    });
    const intact = await cli('audit', 'verify');
    expect(intact.code, intact.stderr).toBe(0);
    expect(intact.stdout).toContain('監査ログの連鎖は正常です / audit chain intact: 3 行 rows');

    await withStore((store) => sql`delete from audit_log where seq = 2`.execute(store.db));
    const json = await cli('audit', 'verify', '--json');
    expect(json.code, json.stderr).toBe(1);
    const result = JSON.parse(json.stdout);
    expect(result).toMatchObject({
      ok: false,
      checked: 1,
      head: { seq: 3 },
      firstBad: { id: ids[2], seq: 3, problem: 'missing-before' },
    });
    const text = verificationText(result);
    expect(text).toContain(`first bad row: id=${ids[2]} 連番 seq 3 [missing-before]`);
    expect(text).toContain(`行 id=${ids[2]}（連番 3）の前の連番 2 の行がありません`);
    expect(text).toContain('the row(s) seq 2 before it are missing (deleted)');
  });

  it('exits 2 on bad usage, before opening any database', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const sink = (lines: string[]) => ({ write: (s: string) => lines.push(s) }) as never;
    expect(await main(['audit', 'check'], sink(out), sink(err))).toBe(2);
    expect(err.join('')).toContain('audit verify [--json] [--anchor SEQ:HASH]');
    expect(await main(['audit', 'verify', '--anchor', '12:abc'], sink(out), sink(err))).toBe(2);
    expect(err.join('')).toContain('--anchor は 連番:ハッシュ');
  });
});
