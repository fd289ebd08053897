import { addressKey } from '../normalize/address-key.ts';
import { kanaExactKey, kanaKey } from '../normalize/kana.ts';
import { nameExactKey, nameKey } from '../normalize/name-key.ts';
import type { Address } from '../schemas/address.ts';
import type { PersonRecord } from '../schemas/person.ts';
import type { TransferPersonRecord } from '../schemas/transfer-certificate.ts';

/** An address as one line: `full` when the source gave it, else its parts. */
export function addressText(a: Address | undefined): string {
  if (!a) return '';
  return a.full ?? [a.prefecture, a.city, a.town, a.block].filter(Boolean).join('');
}

/**
 * The search columns of a person, computed at ingest (and by migration 0011 for older rows):
 * folded keys to find variants, exact keys to rank exact matches first, the address match key.
 * Each kind holds the name, 通称 and ローマ字 (or their kana) joined with `|`.
 */
export function personSearchKeys(r: PersonRecord) {
  const kanas = [r.kana?.full, r.aliasKana].filter((k): k is string => Boolean(k));
  const names = [r.name.full, r.alias, r.romanName].filter((n): n is string => Boolean(n));
  return {
    kana_key: kanas.map(kanaKey).join('|'),
    kana_exact: kanas.map(kanaExactKey).join('|'),
    name_key: names.map(nameKey).join('|'),
    name_exact: names.map(nameExactKey).join('|'),
    address_key: addressKey(addressText(r.address)),
  };
}

/** The search columns of a 転出証明書's person. */
export function transferPersonSearchKeys(p: Omit<TransferPersonRecord, 'certificate'>) {
  return {
    kana_key: [p.kana?.full, p.aliasKana]
      .filter((k): k is string => Boolean(k))
      .map(kanaKey)
      .join('|'),
    name_key: [p.name.full, p.alias]
      .filter((n): n is string => Boolean(n))
      .map(nameKey)
      .join('|'),
  };
}
