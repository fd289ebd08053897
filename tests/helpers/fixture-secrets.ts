import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { adapters } from '../../adapters/index.ts';
import { requireMappingCatalog } from '../../src/mapping/catalog.ts';
import type { ReadItem } from '../../src/sdk/adapter.ts';
import { root } from './files.ts';

/** One fixture file and the read adapter it is for. */
export interface FixtureFile {
  file: string;
  adapter: string;
  bytes: Buffer;
}

const byFolder: Record<string, (name: string) => string | undefined> = {
  'juki-standard-csv': (n) => (n.endsWith('.csv') ? 'juki-standard-csv' : undefined),
  'juki-legacy-fixed': (n) => (n.endsWith('.DAT') ? 'juki-legacy-fixed' : undefined),
  'tenshutsu-xml': (n) => (n.endsWith('.xml') ? 'tenshutsu-xml' : undefined),
  departmental: (n) => (n.endsWith('.csv') ? `${n.replace(/\.csv$/, '')}-csv` : undefined),
  restricted: (n) =>
    n === 'kokuho.csv'
      ? 'kokuho-csv'
      : n.endsWith('.xml')
        ? 'tenshutsu-xml'
        : n.endsWith('.csv')
          ? 'juki-standard-csv'
          : undefined,
  'scenario-chigasaki': (n) =>
    n === 'kouki.csv' ? 'kouki-csv' : n.endsWith('.csv') ? 'juki-standard-csv' : undefined,
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Every input fixture under `fixtures/` (hostile ones excepted) with its adapter. */
export function fixtureFiles(): FixtureFile[] {
  const base = path.join(root, 'fixtures');
  return walk(base)
    .map((file): FixtureFile | undefined => {
      const folder = path.relative(base, file).split(path.sep)[0]!;
      const adapter = byFolder[folder]?.(path.basename(file));
      return adapter ? { file, adapter, bytes: readFileSync(file) } : undefined;
    })
    .filter((f): f is FixtureFile => !!f);
}

/** Fields whose values are personal data: names, kana, addresses, 本籍, 個人番号 and such numbers. */
const PERSONAL =
  /氏名|^氏_|^名_|_氏$|_名$|フリガナ|カナ|個人番号|住所|方書|本籍|筆頭者|通称|世帯主|基礎年金番号|住民票コード/;
const NOT_PERSONAL = /コード$|フラグ$|確認状況|年月日|区分|_該当$/;

/**
 * The personal values of the fixtures, as each adapter reads them: every name, kana, address,
 * 本籍 and 個人番号 (and 住民票コード, 基礎年金番号). Whole values, and each part of a value split
 * on spaces (a family name alone is a secret too).
 */
export async function fixtureSecrets(files: FixtureFile[] = fixtureFiles()): Promise<Set<string>> {
  const secrets = new Set<string>();
  const catalog = requireMappingCatalog(
    path.join(root, 'mappings'),
    adapters.map((a) => a.manifest.id),
  );
  const add = (v: string) => {
    const t = v.trim();
    if (/^\d+$/.test(t) ? t.length >= 10 : t.length >= 2) secrets.add(t);
  };
  for (const f of files) {
    const adapter = adapters.find((a) => a.manifest.id === f.adapter)!;
    const layout = catalog.layout(f.adapter);
    try {
      const items: AsyncIterable<ReadItem> = adapter.read(
        (async function* () {
          yield f.bytes;
        })(),
        { fileName: path.basename(f.file), config: {}, ...(layout ? { layout } : {}) },
      );
      for await (const item of items) {
        if (item.kind !== 'record') continue;
        for (const [field, value] of Object.entries(item.values)) {
          if (!PERSONAL.test(field) || NOT_PERSONAL.test(field)) continue;
          add(value);
          for (const part of value.split(/[\s\u3000]+/)) add(part);
        }
      }
    } catch {
      // A fixture that cannot be read whole (empty, DTD) has no values to hide.
    }
  }
  return secrets;
}

/** The secrets found in a text: digit-only ones only where not part of a longer number. */
export function secretsIn(text: string, secrets: Iterable<string>): string[] {
  const found: string[] = [];
  for (const s of secrets) {
    if (/^\d+$/.test(s) ? new RegExp(`(?<!\\d)${s}(?!\\d)`).test(text) : text.includes(s)) found.push(s);
  }
  return found;
}
