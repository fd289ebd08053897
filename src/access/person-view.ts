import type { Client } from '../plugins/auth.ts';
import { hasScope } from '../plugins/auth.ts';
import type { Person, PersonRecord } from '../schemas/person.ts';
import { expandProvenance, type PersonRow } from '../store/types.ts';

/** Fields withheld for a restricted person (支援措置, 他業務参照不可) from a client without privilege. */
export const RESTRICTED_FIELDS = [
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

export interface ViewContext {
  client: Client;
  /** A reason given by an `admin` client in X-Restricted-Access. */
  restrictedReason?: string;
}

/** True when this client may see a restricted person's address, 本籍 and household. */
export function mayReadRestricted(ctx: ViewContext): boolean {
  return ctx.client.scopes.has('admin') && !!ctx.restrictedReason;
}

/**
 * The person as this client may see it: 個人番号 only with `mynumber:read`; a restricted
 * person's address, 本籍 and household only for `admin` with a reason. What is left out is
 * listed in `withheld`, and provenance of withheld fields goes too.
 */
export function personView(row: PersonRow, ctx: ViewContext): { person: Person; fields: string[] } {
  const record = { ...row.record } as Partial<PersonRecord> & Record<string, unknown>;
  const withheld: string[] = [];
  if (record.myNumber !== undefined && !hasScope(ctx.client, 'mynumber:read')) {
    delete record.myNumber;
    withheld.push('myNumber');
  }
  if (row.restricted && !mayReadRestricted(ctx)) {
    for (const f of RESTRICTED_FIELDS) {
      if (record[f] !== undefined) {
        delete record[f];
        withheld.push(f);
      }
    }
  }
  const provenance = Object.fromEntries(
    Object.entries(expandProvenance(row.provenance)).filter(
      ([path]) => !withheld.includes(path.split('.')[0]!),
    ),
  );
  const person = {
    id: row.id,
    ...record,
    ...(row.missing_since ? { missingSince: new Date(row.missing_since).toISOString() } : {}),
    ...(withheld.length > 0 ? { withheld } : {}),
    provenance,
    updatedAt: new Date(row.updated_at).toISOString(),
  } as Person;
  const fields = Object.keys(record).filter((k) => k !== 'extras');
  return { person, fields };
}
