import type { Person, PersonRecord } from '../schemas/person.ts';
import { expandProvenance, type PersonRow } from '../store/types.ts';

/**
 * Fields that lead to where a person lives or with whom: withheld from a restricted person's
 * co-residents (same household or address) for a viewer without privilege.
 */
export const SHIELDED_FIELDS = [
  'address',
  'addressSince',
  'previousAddress',
  'registeredDomicile',
  'moveOut',
  'householdId',
  'householdHeadName',
  'householdOrder',
  'relationship',
] as const;

/** What the disclosure policy decided for one person's answer. */
export interface PersonCut {
  /** 個人番号 may be shown (`mynumber:read`). */
  myNumber: boolean;
  /** Address, 本籍 and household are withheld (see SHIELDED_FIELDS). */
  shielded: boolean;
  /** Unmapped source columns (`extras`) may be shown: unclassified data, `admin` only. */
  extras: boolean;
}

/** The record without the fields a cut withholds, and the names of those fields. */
export function cutRecord(
  record: PersonRecord,
  cut: PersonCut,
): { record: PersonRecord; withheld: string[] } {
  const out = { ...record } as Partial<PersonRecord> & Record<string, unknown>;
  const withheld: string[] = [];
  const drop = (f: string) => {
    if (out[f] === undefined) return;
    delete out[f];
    withheld.push(f);
  };
  if (!cut.myNumber) drop('myNumber');
  if (!cut.extras) drop('extras');
  if (cut.shielded) for (const f of SHIELDED_FIELDS) drop(f);
  return { record: out as PersonRecord, withheld };
}

/**
 * The person as the API shows it under a cut decided by the disclosure policy: withheld fields
 * are absent, listed in `withheld`, and their provenance goes too. Only `src/access/` calls it.
 * With `provenance: false` the person's provenance is left empty (`personBody` writes it).
 */
export function personView(
  row: PersonRow,
  cut: PersonCut,
  options: { provenance: boolean } = { provenance: true },
): { person: Person; fields: string[]; withheld: string[] } {
  const { record, withheld } = cutRecord(row.record, cut);
  const provenance = options.provenance
    ? Object.fromEntries(
        Object.entries(expandProvenance(row.provenance, row.record)).filter(
          ([path]) => !withheld.includes(path.split('.')[0]!),
        ),
      )
    : {};
  const person = {
    id: row.id,
    ...record,
    ...(row.missing_since ? { missingSince: new Date(row.missing_since).toISOString() } : {}),
    ...(withheld.length > 0 ? { withheld } : {}),
    provenance,
    updatedAt: new Date(row.updated_at).toISOString(),
  } as Person;
  return { person, fields: Object.keys(record), withheld };
}
