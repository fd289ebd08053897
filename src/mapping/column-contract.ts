/**
 * The one way a file's column name is compared with a mapping's: NFKC (full-width ASCII and
 * punctuation to half-width, so `（確定）` = `(確定)` and `＿` = `_`; half-width kana to
 * full-width), without any whitespace, with every dash and hyphen spelled `-`, ASCII lower case.
 * Names that differ only in these ways are the same column.
 */
export function columnKey(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[\s\u200b\ufeff]+/gu, '')
    .replace(/[\u2010-\u2015\u2212\ufe58\ufe63]/gu, '-')
    .toLowerCase();
}

/** How the columns of one file line up with a mapping, decided once from its header. */
export interface ColumnPlan {
  /** Per file position: the mapping's name of the column, or the file's own name when unknown. */
  names: string[];
  /** File columns read under the mapping's name (a spelling or an alias): file name → mapping name. */
  renamed: Map<string, string>;
  /** File columns neither mapped, kept, nor declared ignored, as spelled in the file. */
  unknown: string[];
  /** Required columns the file lacks, as the mapping names them. */
  missing: string[];
  /** Two file columns that are the same mapping column (e.g. `氏名_フリガナ` and `氏名＿フリガナ`). */
  conflicts: { column: string; other: string; as: string }[];
}

export interface ColumnContract {
  /** Every column the mapping knows: read, kept verbatim or declared ignored. */
  known: ReadonlySet<string>;
  required: readonly string[];
  /** Lines a file's header up with the mapping. */
  plan(fields: readonly string[]): ColumnPlan;
}

/**
 * Builds the column contract of a mapping: `known` columns match by `columnKey`, and so do
 * their `aliases` (other systems' names for the same column).
 */
export function columnContract(
  known: Iterable<string>,
  required: Iterable<string>,
  aliases: Record<string, string[]> = {},
): ColumnContract {
  const knownSet = new Set(known);
  const byKey = new Map<string, string>();
  for (const name of knownSet) byKey.set(columnKey(name), name);
  for (const [name, others] of Object.entries(aliases)) {
    for (const other of others) if (!byKey.has(columnKey(other))) byKey.set(columnKey(other), name);
  }
  const requiredList = [...new Set(required)];
  return {
    known: knownSet,
    required: requiredList,
    plan(fields) {
      const names: string[] = [];
      const renamed = new Map<string, string>();
      const unknown: string[] = [];
      const conflicts: ColumnPlan['conflicts'] = [];
      const taken = new Map<string, string>();
      for (const field of fields) {
        const name = knownSet.has(field) ? field : byKey.get(columnKey(field));
        if (name === undefined) {
          unknown.push(field);
          names.push(field);
          continue;
        }
        const other = taken.get(name);
        if (other !== undefined) conflicts.push({ column: field, other, as: name });
        taken.set(name, field);
        if (name !== field) renamed.set(field, name);
        names.push(name);
      }
      const missing = requiredList.filter((r) => !taken.has(r));
      return { names, renamed, unknown, missing, conflicts };
    },
  };
}
