import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Hub } from '../app.ts';
import type { Actor } from '../counter/actor.ts';
import { signConsolidated } from '../counter/consolidated.ts';
import { acceptSubmission, prefillForms, visitWriteCount } from '../counter/forms.ts';
import { openVisit, visitProcedures } from '../counter/visits.ts';
import { fileSource } from '../ingest/sources.ts';
import type { ConsolidatedSignInput } from '../schemas/consolidated.ts';
import type { PrefilledForm, SubmissionInput, WriteCount } from '../schemas/form.ts';
import type { VisitInput } from '../schemas/visit.ts';

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

/** What the scenario does at the counter, over HTTP or straight through the use cases. */
export interface ScenarioPort {
  importFile(adapter: string, file: string): Promise<void>;
  findCertificate(number: string): Promise<string>;
  openVisit(input: VisitInput): Promise<string>;
  procedures(visitId: string): Promise<string[]>;
  prefill(visitId: string, formId: string): Promise<PrefilledForm>;
  submit(visitId: string, input: SubmissionInput, idempotencyKey: string): Promise<void>;
  writeCount(visitId: string, formIds: string[], consolidated: boolean): Promise<WriteCount>;
  signConsolidated(visitId: string, input: ConsolidatedSignInput): Promise<void>;
}

/** The scenario through the HTTP API (`call` sends one request and returns status and JSON). */
export function httpPort(call: Fetch): ScenarioPort {
  const ok = async (method: string, url: string, body?: unknown, headers?: Record<string, string>) => {
    const res = await call(method, url, body, headers);
    if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json as Record<string, unknown> & { items?: Record<string, unknown>[] };
  };
  return {
    async importFile(adapter, file) {
      await ok('POST', `/v1/imports?adapter=${adapter}`, await readFile(path.join(fixtures, file)), {
        'content-type': 'application/octet-stream',
        'x-file-name': encodeURIComponent(path.basename(file)),
      });
    },
    async findCertificate(number) {
      const certs = await ok(
        'GET',
        `/v1/transfer-certificates?number=${encodeURIComponent(number)}`,
        undefined,
        {
          'x-purpose': encodeURIComponent('転入届の受付'),
        },
      );
      return certs.items![0]!.id as string;
    },
    async openVisit(input) {
      return (await ok('POST', '/v1/visits', input)).id as string;
    },
    async procedures(visitId) {
      return (await ok('GET', `/v1/visits/${visitId}/procedures`)).items!.map((p) => p.id as string);
    },
    async prefill(visitId, formId) {
      return (await ok('GET', `/v1/visits/${visitId}/forms/${formId}`)) as unknown as PrefilledForm;
    },
    async submit(visitId, input, idempotencyKey) {
      await ok('POST', `/v1/visits/${visitId}/submissions`, input, { 'idempotency-key': idempotencyKey });
    },
    async writeCount(visitId, formIds, consolidated) {
      const url = `/v1/visits/${visitId}/write-count?forms=${formIds.join(',')}&consolidated=${consolidated}`;
      return (await ok('GET', url)) as unknown as WriteCount;
    },
    async signConsolidated(visitId, input) {
      await ok('POST', `/v1/visits/${visitId}/consolidated`, input);
    },
  };
}

/** The scenario without HTTP: the hub's import and the counter use cases, called directly. */
export function directPort(hub: Hub, actor: Actor): ScenarioPort {
  return {
    async importFile(adapter, file) {
      await hub.importFile(await fileSource(path.join(fixtures, file)), { adapter });
    },
    async findCertificate(number) {
      const page = await hub.certificates.search({ number, limit: 1, offset: 0 });
      const cert = await hub.disclosure.certificate(actor.viewer, page.items[0]);
      return cert.id;
    },
    async openVisit(input) {
      return (await openVisit(hub, actor, input)).id;
    },
    async procedures(visitId) {
      return (await visitProcedures(hub, actor, visitId)).items.map((p) => p.id);
    },
    async prefill(visitId, formId) {
      return (await prefillForms(hub, actor, visitId, { formIds: [formId], audit: 'visits.form' })).forms[0]!;
    },
    async submit(visitId, input, idempotencyKey) {
      await acceptSubmission(hub, actor, visitId, idempotencyKey, input);
    },
    async writeCount(visitId, formIds, consolidated) {
      return visitWriteCount(hub, actor, visitId, { formIds, consolidated });
    },
    async signConsolidated(visitId, input) {
      await signConsolidated(hub, actor, visitId, input);
    },
  };
}

/**
 * The 茅ヶ崎 family of six (a couple, the husband's father, three children) moving in from 大阪市,
 * end to end: the previous municipality's 転出証明書, the visit, the 住民異動届 accepted, the 住記
 * export after the 転入 and the 後期 file, then the follow-on forms, the write count of
 * 氏名・続柄・生年月日 per form group, and the same signed once on the consolidated application.
 */
export async function runChigasakiScenario(port: ScenarioPort): Promise<ScenarioResult> {
  await port.importFile('tenshutsu-xml', 'tenshutsu-xml/chigasaki-family.xml');
  const certificateId = await port.findCertificate('R8-000123');
  const visitId = await port.openVisit({
    lifeEvent: 'tennyu',
    identity: { method: 'mynumber-card', verifiedBy: 'staff-chigasaki-1' },
    consent: { given: true },
    subjects: { transferCertificateId: certificateId },
    referenceDate: '2026-04-01',
  });
  const procedures = await port.procedures(visitId);

  const submit = async (formId: string, values: Record<string, unknown> = {}) => {
    await port.prefill(visitId, formId);
    await port.submit(
      visitId,
      {
        formId,
        values,
        confirmedBy: 'staff-chigasaki-1',
        signatures: [{ key: 'signature', method: 'tablet' }],
      },
      `${visitId}:${formId}`,
    );
  };
  await submit('juminidou', { phone: '0467-00-0000' });
  // The 住記 system registers the 転入 and exports; the 広域連合 assigns the 被保険者番号.
  await port.importFile('juki-standard-csv', 'scenario-chigasaki/juki-after-tennyu.csv');
  await port.importFile('kouki-csv', 'scenario-chigasaki/kouki.csv');
  // The family had no 児童手当 here: the account (fictitious) is written at the counter.
  await submit('jidouteate', {
    bankCode: '0009',
    branchCode: '123',
    accountType: '普通',
    accountNumber: '7654321',
  });
  // The children are insured with their father's employer (社保): the resident says so.
  const kodomo = await port.prefill(visitId, 'kodomoiryo');
  const insurance = Object.fromEntries(
    kodomo.fields.filter((f) => f.key === 'insuranceType').map((f) => [`insuranceType@${f.person}`, '社保']),
  );
  await submit('kodomoiryo', insurance);
  await submit('kouki');
  await submit('kaigo', { certificateSubmitted: 'なし' });

  const forms = FORM_GROUPS.flatMap((g) => g.forms);
  const count = await port.writeCount(visitId, forms, false);
  // The same visit signed once on the consolidated application (まとめて申請書).
  await port.signConsolidated(visitId, { confirmedBy: 'staff-chigasaki-1', method: 'tablet' });
  const consolidatedCount = await port.writeCount(visitId, forms, true);
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
