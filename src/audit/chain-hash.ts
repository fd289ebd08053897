import { createHash } from 'node:crypto';

/** The `prevHash` of the first row of the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** Names the hash formula; a new formula would get a new name, never a silent change. */
export const CHAIN_FORMAT = 'madoguchi-hub/audit/v1';

/** An audit row's content exactly as stored: absent values are `null`, never `undefined`. */
export interface AuditContent {
  clientId: string;
  staffId: string | null;
  visitId: string | null;
  purpose: string | null;
  action: string;
  subjects: string[];
  fields: string[];
  restrictedReason: string | null;
  requestId: string | null;
}

/**
 * SHA-256 (hex) of the row's content as a JSON array in a fixed order: client, staff, visit,
 * purpose, action, subjects, fields, restricted reason, request id.
 */
export function contentDigest(c: AuditContent): string {
  const canonical = JSON.stringify([
    c.clientId,
    c.staffId,
    c.visitId,
    c.purpose,
    c.action,
    c.subjects,
    c.fields,
    c.restrictedReason,
    c.requestId,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * The row's hash: SHA-256 (hex) of `madoguchi-hub/audit/v1|seq|id|at|prevHash|contentDigest`,
 * `at` in UTC with milliseconds (`2026-12-02T07:51:50.123Z`). The append computes the same in
 * SQL (`store/audit-repo.ts`); `docs/audit-chain.md` describes it for auditors.
 */
export function rowHash(link: { seq: number; id: number; at: string; prevHash: string }, digest: string) {
  const text = [CHAIN_FORMAT, link.seq, link.id, link.at, link.prevHash, digest].join('|');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * A string as PostgreSQL will store it: a lone surrogate becomes U+FFFD when encoded to UTF-8,
 * so the digest is taken over what the database keeps, not over what the caller passed.
 */
export function storable(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}
