import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { viewerOf } from '../../access/disclosure.ts';
import { HubError } from '../../errors.ts';
import { hasScope } from '../../plugins/auth.ts';
import type { TransferCertificate as Certificate } from '../../schemas/transfer-certificate.ts';
import { TransferCertificate } from '../../schemas/transfer-certificate.ts';
import { auditBase, Limits, personalHeaders, problems } from '../common.ts';

export const transferCertificateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { certificates, audit, disclosure } = app.hub;
  const record = (
    request: Parameters<typeof auditBase>[0],
    action: string,
    certs: Certificate[],
    myNumber: boolean,
  ) =>
    audit.record({
      ...auditBase(request),
      action,
      subjects: certs.flatMap((c) => c.persons.map((p) => p.id)),
      fields: [
        'name',
        'kana',
        'birthDate',
        'sex',
        'relationship',
        'address',
        'registeredDomicile',
        'insurance',
        ...(myNumber ? ['myNumber'] : []),
      ],
    });

  app.get(
    '/transfer-certificates',
    {
      config: { scope: 'residents:read', personal: true },
      schema: {
        tags: ['residents'],
        summary: 'Pending transfer-ins (転出証明書) by number, or kana and birth date of a person in them',
        headers: personalHeaders,
        querystring: Type.Object({
          number: Type.Optional(Type.String({ minLength: 1 })),
          kana: Type.Optional(Type.String({ minLength: 1 })),
          birthDate: Type.Optional(Type.String({ format: 'date' })),
          ...Limits,
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref(TransferCertificate)), total: Type.Integer() }),
          ...problems(400, 401, 403),
        },
      },
    },
    async (request) => {
      const q = request.query;
      if (!q.number && !q.kana && !q.birthDate) {
        throw new HubError('HUB_ERR_VALIDATION', {
          message: 'number・kana・birthDate のいずれかを指定してください',
        });
      }
      const viewer = viewerOf(request);
      const page = await certificates.search({
        ...(q.number ? { number: q.number } : {}),
        excludeIds: await disclosure.hiddenCertificates(viewer),
        ...(q.kana ? { kana: q.kana } : {}),
        ...(q.birthDate ? { birthDate: q.birthDate } : {}),
        limit: q.limit,
        offset: q.offset,
      });
      const myNumber = hasScope(request.client, 'mynumber:read');
      await record(request, 'transfer-certificates.search', page.items, myNumber);
      return { items: page.items.map((c) => disclosure.certificateView(viewer, c)), total: page.total };
    },
  );

  app.get(
    '/transfer-certificates/:id',
    {
      config: { scope: 'residents:read', personal: true },
      schema: {
        tags: ['residents'],
        summary: 'One 転出証明書 with every person moving',
        headers: personalHeaders,
        params: Type.Object({ id: Type.String() }),
        response: { 200: Type.Ref(TransferCertificate), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const cert = await disclosure.certificate(viewerOf(request), await certificates.get(request.params.id));
      await record(request, 'transfer-certificates.read', [cert], hasScope(request.client, 'mynumber:read'));
      return cert;
    },
  );
};
