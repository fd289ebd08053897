import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { viewerOf } from '../../access/disclosure.ts';
import { HubError } from '../../errors.ts';
import { Enrolment } from '../../schemas/enrolment.ts';
import { Household, Person, PersonStatus } from '../../schemas/person.ts';
import { SEARCH_TOTAL_CAP } from '../../store/persons-repo.ts';
import { auditBase, Limits, personalHeaders, problems } from '../common.ts';

/** One person as the API shows them (the items of a search are serialised one by one). */
const PersonRef = Type.Ref(Person);
const ITEMS_OPEN = Buffer.from('{"items":[');
const COMMA = Buffer.from(',');

export const residentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { persons, audit, disclosure } = app.hub;

  app.get(
    '/residents',
    {
      config: { scope: 'residents:read', personal: true },
      schema: {
        tags: ['residents'],
        summary: 'Search persons',
        description:
          'kana matches katakana, hiragana and half-width alike (prefix); name matches a part of the name or 通称. Every status unless `status` narrows it. At least one criterion is required.',
        headers: personalHeaders,
        querystring: Type.Object({
          kana: Type.Optional(Type.String({ minLength: 1 })),
          name: Type.Optional(Type.String({ minLength: 1 })),
          birthDate: Type.Optional(Type.String({ format: 'date' })),
          householdId: Type.Optional(Type.String({ pattern: '^\\d+$' })),
          status: Type.Optional(Type.Ref(PersonStatus)),
          ...Limits,
        }),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Ref(Person)),
            total: Type.Integer({
              description: `the number of matches; when more than ${SEARCH_TOTAL_CAP} match, ${SEARCH_TOTAL_CAP} and \`totalExact\` is false`,
            }),
            totalExact: Type.Optional(
              Type.Boolean({
                description: `false when more than ${SEARCH_TOTAL_CAP} persons match (matches are not counted further): \`total\` is a lower bound; absent when \`total\` is exact`,
              }),
            ),
            hasMore: Type.Optional(
              Type.Boolean({ description: 'with `totalExact` false: whether matches follow this page' }),
            ),
          }),
          ...problems(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      if (!q.kana && !q.name && !q.birthDate && !q.householdId) {
        throw new HubError('HUB_ERR_VALIDATION', {
          message: 'kana・name・birthDate・householdId のいずれかを指定してください',
        });
      }
      const viewer = viewerOf(request);
      const page = await persons.searchPage({
        ...(q.kana ? { kana: q.kana } : {}),
        ...(q.name ? { name: q.name } : {}),
        ...(q.birthDate ? { birthDate: q.birthDate } : {}),
        ...(q.householdId ? { householdId: q.householdId } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...disclosure.personSearch(viewer),
        limit: q.limit,
        offset: q.offset,
      });
      const serializePerson = reply.compileSerializationSchema(PersonRef) as (p: Person) => string;
      const views = await disclosure.personsSerialized(viewer, page.items, serializePerson);
      await audit.record({
        ...auditBase(request),
        action: 'residents.search',
        subjects: views.map((v) => v.id),
        fields: [...new Set(views.flatMap((v) => v.fields))],
      });
      const total = page.total - (page.items.length - views.length);
      // Each person as the Person schema serialises them (cached per row version and cut).
      const more = page.totalExact ? '' : `,"totalExact":false,"hasMore":${page.hasMore}`;
      const items = views.flatMap((v, i) => (i === 0 ? [v.body] : [COMMA, v.body]));
      const body = Buffer.concat([ITEMS_OPEN, ...items, Buffer.from(`],"total":${total}${more}}`)]);
      return reply.type('application/json; charset=utf-8').send(body as never);
    },
  );

  app.get(
    '/residents/:id',
    {
      config: { scope: 'residents:read', personal: true },
      schema: {
        tags: ['residents'],
        summary: 'One person with provenance per field',
        headers: personalHeaders,
        params: Type.Object({ id: Type.String() }),
        response: { 200: Type.Ref(Person), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { id, body, fields } = await disclosure.personById(
        viewerOf(request),
        request.params.id,
        (p) => reply.serialize(p) as string,
      );
      await audit.record({ ...auditBase(request), action: 'residents.read', subjects: [id], fields });
      // Already serialised by the response schema's serializer: sent as it is.
      return reply.type('application/json; charset=utf-8').send(body as never);
    },
  );

  app.get(
    '/residents/:id/enrolments',
    {
      config: { scope: 'residents:read', personal: true },
      schema: {
        tags: ['residents'],
        summary: 'A person’s enrolments in the departmental systems (国保, 後期, 介護, 児童手当, 子ども医療)',
        headers: personalHeaders,
        params: Type.Object({ id: Type.String() }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref(Enrolment)), total: Type.Integer() }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const row = await persons.get(request.params.id);
      const stored = row ? await app.hub.enrolments.forPersons([row.id]) : [];
      const items = await disclosure.enrolments(viewerOf(request), row, stored);
      await audit.record({
        ...auditBase(request),
        action: 'residents.enrolments.read',
        subjects: [row!.id],
        fields: items.map((e) => `enrolment:${e.program}`),
      });
      return { items, total: items.length };
    },
  );

  app.get(
    '/households/:id',
    {
      config: { scope: 'residents:read', personal: true },
      schema: {
        tags: ['residents'],
        summary: 'A household: members in 記載順位 with relationships',
        description:
          'A household with a restricted member (支援措置, 他業務参照不可), or one sharing an address with one, is not found for a client without admin and X-Restricted-Access.',
        headers: personalHeaders,
        params: Type.Object({ id: Type.String({ pattern: '^\\d+$' }) }),
        response: { 200: Type.Ref(Household), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const id = request.params.id.replace(/^0+(?=\d)/, '');
      const { household, subjects } = await disclosure.household(
        viewerOf(request),
        id,
        await persons.household(id),
      );
      await audit.record({
        ...auditBase(request),
        action: 'households.read',
        subjects,
        fields: ['address', 'members.name', 'members.relationship', 'members.status'],
      });
      return household;
    },
  );
};
