import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers/files.ts';

/** Query building or raw SQL: what belongs in src/store/ and the use cases, never in a route. */
const QUERY =
  /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|with)\(|\bsql`|\bstore\.db\b|\.executeTakeFirst\(|\btrx\b/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

describe('the shape of the hub', () => {
  it('runs no query in src/routes/: routes are faces over use cases and repositories', () => {
    const offending = files(path.join(root, 'src', 'routes')).flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          QUERY.test(line) ? [`${path.relative(root, f)}:${i + 1}: ${line.trim()}`] : [],
        ),
    );
    expect(offending).toEqual([]);
  });

  it('would catch a query written in a route', () => {
    expect(
      QUERY.test("    const rows = await app.hub.store.db.selectFrom('visits').selectAll().execute();"),
    ).toBe(true);
    expect(QUERY.test('    await sql`select 1`.execute(db);')).toBe(true);
  });

  it('keeps the counter use cases in src/counter/', () => {
    const names = readdirSync(path.join(root, 'src', 'counter'));
    const text = names.map((n) => readFileSync(path.join(root, 'src', 'counter', n), 'utf8')).join('\n');
    for (const useCase of [
      'openVisit',
      'listVisits',
      'closeVisit',
      'prefillForms',
      'acceptSubmission',
      'redeliver',
    ])
      expect(text, useCase).toMatch(new RegExp(`export async function ${useCase}\\(`));
  });
});
