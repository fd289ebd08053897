import type { AuditProblem, AuditVerification } from '../schemas/audit.ts';
import type { AuditChainBatch } from '../store/audit-repo.ts';
import { contentDigest, GENESIS_HASH, rowHash } from './chain-hash.ts';

const BATCH = 1000;

/** A place in the chain and its hash, written down elsewhere earlier (e.g. the head of a past check). */
export interface AuditAnchor {
  seq: number;
  hash: string;
}

/** The anchor in `SEQ:HASH` (see `AuditAnchorText`), or undefined when the text is not one. */
export function parseAuditAnchor(text: string): AuditAnchor | undefined {
  const m = /^([1-9][0-9]*):([0-9a-f]{64})$/.exec(text);
  return m ? { seq: Number(m[1]), hash: m[2]! } : undefined;
}

type FirstBad = NonNullable<AuditVerification['firstBad']>;

function bad(
  id: number | null,
  seq: number,
  problem: AuditProblem,
  message: string,
  detail: string,
): FirstBad {
  return { id, seq, problem, message, detail };
}

/**
 * Walks the audit chain from its first row and stops at the first row that is not intact and in
 * its place: content changed after it was written, a row deleted before it or at the end, rows
 * reordered, or a row inserted out of order or past the recorded head. Reads in batches, each
 * with the head of the same snapshot, so appends during the walk are checked too, not flagged.
 * With an anchor (a place and hash written down elsewhere earlier), a chain rewritten
 * consistently up to or past that place is found too. Used by `madoguchi-hub audit verify` and
 * `GET /v1/audit/verify`.
 */
export async function verifyAuditChain(
  source: { chainBatch(afterSeq: number, limit: number): Promise<AuditChainBatch> },
  options: { anchor?: AuditAnchor } = {},
): Promise<AuditVerification> {
  const anchor = options.anchor;
  let prev = { seq: 0, id: 0, hash: GENESIS_HASH };
  let checked = 0;
  for (;;) {
    const { head, rows } = await source.chainBatch(prev.seq, BATCH);
    if (!head)
      return {
        ok: false,
        checked,
        head: null,
        firstBad: bad(
          null,
          prev.seq + 1,
          'head-missing',
          '監査ログの連鎖の先頭（audit_chain_head）がありません。',
          'the chain head (audit_chain_head) is missing',
        ),
      };
    const fail = (firstBad: FirstBad): AuditVerification => ({ ok: false, checked, head, firstBad });
    for (const r of rows) {
      const row = `行 id=${r.id}（連番 ${r.seq}）`;
      const rowEn = `row id=${r.id} (seq ${r.seq})`;
      if (r.seq > head.seq)
        return fail(
          bad(
            r.id,
            r.seq,
            'beyond-head',
            `${row}は連鎖の先頭（連番 ${head.seq}）より後にあります。ハブを通さずに追加された行です。`,
            `${rowEn} lies beyond the chain head (seq ${head.seq}): it was added outside the hub`,
          ),
        );
      if (r.seq <= prev.seq)
        return fail(
          bad(
            r.id,
            r.seq,
            'out-of-order',
            `${row}の連番が前の行 id=${prev.id}（連番 ${prev.seq}）の後に続いていません。行が順序外に挿入されたか並べ替えられています。`,
            `${rowEn} does not follow row id=${prev.id} (seq ${prev.seq}): inserted out of order or reordered`,
          ),
        );
      if (r.seq > prev.seq + 1)
        return fail(
          bad(
            r.id,
            r.seq,
            'missing-before',
            `${row}の前の連番 ${prev.seq + 1}${r.seq - 1 > prev.seq + 1 ? `〜${r.seq - 1}` : ''} の行がありません。行が削除されています。`,
            `${rowEn}: the row(s) seq ${prev.seq + 1}${r.seq - 1 > prev.seq + 1 ? `..${r.seq - 1}` : ''} before it are missing (deleted)`,
          ),
        );
      if (r.id <= prev.id)
        return fail(
          bad(
            r.id,
            r.seq,
            'out-of-order',
            `${row}の id が前の行 id=${prev.id} より小さくなっています。行が順序外に挿入されたか並べ替えられています。`,
            `${rowEn} has an id below the previous row id=${prev.id}: inserted out of order or reordered`,
          ),
        );
      if (r.prevHash !== prev.hash)
        return fail(
          bad(
            r.id,
            r.seq,
            'unlinked',
            `${row}の前行ハッシュ（prevHash）が前の行 id=${prev.id} のハッシュと一致しません。行が削除・挿入・並べ替えされています。`,
            `${rowEn}: prevHash does not match the hash of the previous row id=${prev.id} (a row was deleted, inserted or reordered)`,
          ),
        );
      if (rowHash(r, contentDigest(r)) !== r.hash)
        return fail(
          bad(
            r.id,
            r.seq,
            'content-modified',
            `${row}の内容が記録時のハッシュと一致しません。記録後に書き換えられています。`,
            `${rowEn}: its content does not match its hash (modified after it was written)`,
          ),
        );
      if (anchor && r.seq === anchor.seq && r.hash !== anchor.hash)
        return fail(
          bad(
            r.id,
            r.seq,
            'anchor-mismatch',
            `${row}のハッシュが控えの値（${anchor.hash.slice(0, 12)}…）と一致しません。連鎖がこの行まで書き換えられています。`,
            `${rowEn}: its hash is not the recorded anchor (${anchor.hash.slice(0, 12)}…): the chain was rewritten up to this row`,
          ),
        );
      prev = { seq: r.seq, id: r.id, hash: r.hash };
      checked += 1;
    }
    if (rows.length > 0) continue;
    if (head.seq > prev.seq)
      return fail(
        bad(
          null,
          prev.seq + 1,
          'missing-at-end',
          `連番 ${prev.seq + 1}${head.seq > prev.seq + 1 ? `〜${head.seq}` : ''} の行がありません（${prev.seq > 0 ? `最後の行は id=${prev.id}` : '行が一つもありません'}）。末尾の行が削除されています。`,
          `row(s) seq ${prev.seq + 1}${head.seq > prev.seq + 1 ? `..${head.seq}` : ''} are missing ${prev.seq > 0 ? `after the last row id=${prev.id}` : '(no row is left)'}: deleted`,
        ),
      );
    if (head.hash !== prev.hash)
      return fail(
        bad(
          prev.seq > 0 ? prev.id : null,
          prev.seq,
          'head-mismatch',
          `最後の行 id=${prev.id}（連番 ${prev.seq}）のハッシュが連鎖の先頭に記録されたハッシュと一致しません。`,
          `the last row id=${prev.id} (seq ${prev.seq}) does not match the hash recorded in the chain head`,
        ),
      );
    if (anchor && anchor.seq > prev.seq)
      return fail(
        bad(
          null,
          anchor.seq,
          'anchor-missing',
          `控えの連番 ${anchor.seq} の行がありません（連鎖は連番 ${prev.seq} までです）。行が削除されたか連鎖が書き換えられています。`,
          `the anchored row seq ${anchor.seq} is missing (the chain ends at seq ${prev.seq}): rows deleted or the chain rewritten`,
        ),
      );
    return { ok: true, checked, head };
  }
}
