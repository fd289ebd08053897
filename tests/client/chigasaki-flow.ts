import type { Client } from 'openapi-fetch';
import type { paths } from './generated/api.ts';

/** The files of the flow, as text (every one is UTF-8). */
export interface FlowFiles {
  certificateXml: string;
  jukiCsv: string;
  koukiCsv: string;
}

/** The data of an answer, or an error naming the step and the problem the hub sent. */
function must<T>(step: string, r: { data?: T; error?: unknown; response: Response }): T {
  if (r.data === undefined) throw new Error(`${step}: ${r.response.status} ${JSON.stringify(r.error)}`);
  return r.data;
}

const asText = { bodySerializer: (body: string) => body };

/**
 * The 茅ヶ崎 family's 転入 as a counter front end drives it through a client generated from
 * openapi/openapi.json (openapi-typescript + openapi-fetch), with no cast anywhere.
 */
export async function chigasakiFlow(client: Client<paths>, files: FlowFiles) {
  const staff = 'staff-chigasaki-1';
  must(
    'import certificate',
    await client.POST('/v1/imports', {
      params: { query: { adapter: 'tenshutsu-xml' }, header: { 'x-file-name': 'chigasaki-family.xml' } },
      body: files.certificateXml,
      headers: { 'content-type': 'application/xml' },
      ...asText,
    }),
  );
  const certificates = must(
    'find certificate',
    await client.GET('/v1/transfer-certificates', {
      params: {
        query: { number: 'R8-000123' },
        header: { 'x-purpose': encodeURIComponent('転入届の受付'), 'x-staff-id': staff },
      },
    }),
  );
  const certificate = certificates.items[0];
  if (!certificate) throw new Error('no certificate');
  const visit = must(
    'open visit',
    await client.POST('/v1/visits', {
      body: {
        lifeEvent: 'tennyu',
        identity: { method: 'mynumber-card', verifiedBy: staff },
        consent: { given: true },
        subjects: { transferCertificateId: certificate.id },
        referenceDate: '2026-04-01',
      },
    }),
  );
  const visitPath = { params: { path: { id: visit.id } } };
  const procedures = must('procedures', await client.GET('/v1/visits/{id}/procedures', visitPath));

  const submit = async (formId: string, values: Record<string, string> = {}) => {
    const form = must(
      `prefill ${formId}`,
      await client.GET('/v1/visits/{id}/forms/{formId}', { params: { path: { id: visit.id, formId } } }),
    );
    const accepted = must(
      `submit ${formId}`,
      await client.POST('/v1/visits/{id}/submissions', {
        params: { path: { id: visit.id }, header: { 'idempotency-key': `${visit.id}:${formId}` } },
        body: { formId, values, confirmedBy: staff, signatures: [{ key: 'signature', method: 'tablet' }] },
      }),
    );
    return { form, accepted };
  };

  await submit('juminidou', { phone: '0467-00-0000' });
  for (const [adapter, body, name] of [
    ['juki-standard-csv', files.jukiCsv, 'juki-after-tennyu.csv'],
    ['kouki-csv', files.koukiCsv, 'kouki.csv'],
  ] as const) {
    must(
      `import ${adapter}`,
      await client.POST('/v1/imports', {
        params: { query: { adapter }, header: { 'x-file-name': name } },
        body,
        headers: { 'content-type': 'text/csv' },
        ...asText,
      }),
    );
  }
  const jidou = await submit('jidouteate', {
    bankCode: '0009',
    branchCode: '123',
    accountType: '普通',
    accountNumber: '7654321',
  });
  const kodomo = must(
    'prefill kodomoiryo',
    await client.GET('/v1/visits/{id}/forms/{formId}', {
      params: { path: { id: visit.id, formId: 'kodomoiryo' } },
    }),
  );
  const insurance: Record<string, string> = {};
  for (const f of kodomo.fields) {
    if (f.key === 'insuranceType' && f.person && f.choices?.includes('社保'))
      insurance[`insuranceType@${f.person}`] = '社保';
  }
  await submit('kodomoiryo', insurance);
  await submit('kouki');
  await submit('kaigo', { certificateSubmitted: 'なし' });

  const forms = 'juminidou,jidouteate,kodomoiryo,kouki';
  const perForm = must(
    'write count',
    await client.GET('/v1/visits/{id}/write-count', {
      params: { path: { id: visit.id }, query: { forms, consolidated: false } },
    }),
  );
  const signed = must(
    'sign consolidated',
    await client.POST('/v1/visits/{id}/consolidated', {
      params: { path: { id: visit.id } },
      body: { confirmedBy: staff, method: 'tablet' },
    }),
  );
  const consolidated = must(
    'write count consolidated',
    await client.GET('/v1/visits/{id}/write-count', {
      params: { path: { id: visit.id }, query: { forms } },
    }),
  );
  const submissions = must('submissions', await client.GET('/v1/visits/{id}/submissions', visitPath));
  const progress = must('progress', await client.GET('/v1/visits/{id}/progress', visitPath));
  const today = must('visits', await client.GET('/v1/visits', { params: { query: { status: 'open' } } }));
  const targets = must('targets', await client.GET('/v1/targets'));
  const closed = must(
    'close',
    await client.POST('/v1/visits/{id}/close', {
      params: { path: { id: visit.id } },
      body: { status: 'completed', by: staff },
    }),
  );
  const refused = await client.POST('/v1/visits/{id}/submissions', {
    params: { path: { id: visit.id }, header: { 'idempotency-key': `${visit.id}:late` } },
    body: { formId: 'kokuho', confirmedBy: staff },
  });
  const subjects = visit.subjects;
  return {
    certificateId: 'transferCertificateId' in subjects ? subjects.transferCertificateId : undefined,
    procedures: procedures.items.map((p) => p.id),
    handoff: jidou.accepted.handoff.kind === 'system' ? jidou.accepted.handoff.targets : [],
    signatures: { perForm: perForm.total.signature, consolidated: consolidated.total.signature },
    sections: signed.sections.length,
    submissions: submissions.items.map((s) => s.state),
    due: progress.totals.due,
    openVisits: today.total,
    targets: targets.items.length,
    closed: closed.status,
    refusedCode: refused.error?.code,
  };
}
