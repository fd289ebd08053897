import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { WriteCount } from '../prefill/prefill.ts';

const fixtures = path.resolve(import.meta.dirname, '..', '..', 'fixtures');

/** The 茅ヶ崎 form groups and the counts measured there (デジタル庁, 2024): 40 entries → 4. */
export const FORM_GROUPS = [
  {
    label: '住民異動届',
    forms: ['juminidou'],
    measured: { name: [8, 1], relationship: [6, 0], birthDate: [6, 0] },
  },
  {
    label: '小児医療証/児童手当',
    forms: ['jidouteate', 'kodomoiryo'],
    measured: { name: [5, 1], relationship: [3, 0], birthDate: [5, 0] },
  },
  {
    label: '後期高齢者医療',
    forms: ['kouki'],
    measured: { name: [3, 1], relationship: [2, 1], birthDate: [2, 0] },
  },
] as const;

export const CATEGORIES = [
  ['name', '氏名'],
  ['relationship', '続柄'],
  ['birthDate', '生年月日'],
] as const;

export interface ScenarioResult {
  visitId: string;
  procedures: string[];
  count: WriteCount;
  rows: {
    group: string;
    category: string;
    before: number;
    after: number;
    signatures: number;
    measured: readonly [number, number];
  }[];
  total: { before: number; after: number; signatures: number };
  /** The same forms signed once on the consolidated application (まとめて申請書). */
  consolidated: { before: number; after: number; signatures: number };
}

type Fetch = (
  method: string,
  url: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<{ status: number; json: unknown }>;

/**
 * The 茅ヶ崎 family of six (a couple, the husband's father, three children) moving in from 大阪市,
 * end to end through the HTTP API: the previous municipality's 転出証明書, the visit, the
 * 住民異動届 accepted, the 住記 export after the 転入 and the 後期 file, then the follow-on
 * forms, and the write count of 氏名・続柄・生年月日 per form group.
 */
export async function runChigasakiScenario(call: Fetch): Promise<ScenarioResult> {
  const ok = async (method: string, url: string, body?: unknown, headers?: Record<string, string>) => {
    const res = await call(method, url, body, headers);
    if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json as Record<string, unknown> & { items?: Record<string, unknown>[] };
  };
  const upload = async (adapter: string, file: string) =>
    ok('POST', `/v1/imports?adapter=${adapter}`, await readFile(path.join(fixtures, file)), {
      'content-type': 'application/octet-stream',
      'x-file-name': encodeURIComponent(path.basename(file)),
    });

  await upload('tenshutsu-xml', 'tenshutsu-xml/chigasaki-family.xml');
  const certs = await ok('GET', '/v1/transfer-certificates?number=R8-000123', undefined, {
    'x-purpose': encodeURIComponent('転入届の受付'),
  });
  const certificateId = certs.items![0]!.id as string;
  const visit = await ok('POST', '/v1/visits', {
    lifeEvent: 'tennyu',
    identity: { method: 'mynumber-card', verifiedBy: 'staff-chigasaki-1' },
    consent: { given: true },
    subjects: { transferCertificateId: certificateId },
    referenceDate: '2026-04-01',
  });
  const visitId = visit.id as string;
  const procedures = (await ok('GET', `/v1/visits/${visitId}/procedures`)).items!.map((p) => p.id as string);

  const submit = async (formId: string, values: Record<string, unknown> = {}) => {
    await ok('GET', `/v1/visits/${visitId}/forms/${formId}`);
    await ok(
      'POST',
      `/v1/visits/${visitId}/submissions`,
      {
        formId,
        values,
        confirmedBy: 'staff-chigasaki-1',
        signatures: [{ key: 'signature', method: 'tablet' }],
      },
      { 'idempotency-key': `${visitId}:${formId}` },
    );
  };
  await submit('juminidou', { phone: '0467-00-0000' });
  // The 住記 system registers the 転入 and exports; the 広域連合 assigns the 被保険者番号.
  await upload('juki-standard-csv', 'scenario-chigasaki/juki-after-tennyu.csv');
  await upload('kouki-csv', 'scenario-chigasaki/kouki.csv');
  // The family had no 児童手当 here: the account (fictitious) is written at the counter.
  await submit('jidouteate', {
    bankCode: '0009',
    branchCode: '123',
    accountType: '普通',
    accountNumber: '7654321',
  });
  // The children are insured with their father's employer (社保): the resident says so.
  const kodomo = await ok('GET', `/v1/visits/${visitId}/forms/kodomoiryo`);
  const insurance = Object.fromEntries(
    (kodomo.fields as { key: string; person?: string }[])
      .filter((f) => f.key === 'insuranceType')
      .map((f) => [`insuranceType@${f.person}`, '社保']),
  );
  await submit('kodomoiryo', insurance);
  await submit('kouki');
  await submit('kaigo', { certificateSubmitted: 'なし' });

  const forms = FORM_GROUPS.flatMap((g) => g.forms).join(',');
  const countOf = async (consolidated: boolean) =>
    (await ok(
      'GET',
      `/v1/visits/${visitId}/write-count?forms=${forms}&consolidated=${consolidated}`,
    )) as unknown as WriteCount;
  const count = await countOf(false);
  // The same visit signed once on the consolidated application (まとめて申請書).
  await ok('POST', `/v1/visits/${visitId}/consolidated`, {
    confirmedBy: 'staff-chigasaki-1',
    method: 'tablet',
  });
  const consolidatedCount = await countOf(true);
  const consolidated = { before: 0, after: 0, signatures: 0 };
  for (const [category] of CATEGORIES) {
    const b = consolidatedCount.baseline.total.byCategory[category];
    const a = consolidatedCount.total.byCategory[category];
    consolidated.before += (b?.input ?? 0) + (b?.signature ?? 0);
    consolidated.after += (a?.input ?? 0) + (a?.signature ?? 0);
    consolidated.signatures += a?.signature ?? 0;
  }
  const rows: ScenarioResult['rows'] = [];
  const total = { before: 0, after: 0, signatures: 0 };
  for (const g of FORM_GROUPS) {
    for (const [category, label] of CATEGORIES) {
      let before = 0;
      let after = 0;
      let signatures = 0;
      for (const formId of g.forms) {
        const b = count.baseline.forms.find((f) => f.formId === formId)?.byCategory[category];
        const a = count.forms.find((f) => f.formId === formId)?.byCategory[category];
        before += (b?.input ?? 0) + (b?.signature ?? 0);
        after += (a?.input ?? 0) + (a?.signature ?? 0);
        signatures += a?.signature ?? 0;
      }
      rows.push({
        group: g.label,
        category: label,
        before,
        after,
        signatures,
        measured: g.measured[category],
      });
      total.before += before;
      total.after += after;
      total.signatures += signatures;
    }
  }
  return { visitId, procedures, count, rows, total, consolidated };
}

/** The table, like the one 茅ヶ崎市 published: before → after per form group, with totals. */
export function formatScenario(r: ScenarioResult): string {
  const lines = [
    '茅ヶ崎市の6人家族（夫婦・祖父・子3人）の転入: 手書きする 氏名・続柄・生年月日',
    `手続ナビ: ${r.procedures.join(', ')}`,
    '',
    '様式                  項目       ハブなし → ハブあり  (うち署名)   茅ヶ崎実測',
  ];
  for (const row of r.rows) {
    lines.push(
      `${row.group.padEnd(12, '　')}  ${row.category.padEnd(4, '　')}  ${String(row.before).padStart(4)} → ${String(row.after).padStart(2)}        (${row.signatures})        ${row.measured[0]} → ${row.measured[1]}`,
    );
  }
  lines.push(
    '',
    `合計                             ${r.total.before} → ${r.total.after}        (${r.total.signatures})        40 → 4`,
    `まとめて申請書（署名1回）          ${r.consolidated.before} → ${r.consolidated.after}        (${r.consolidated.signatures})`,
  );
  return lines.join('\n');
}
