import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { handoffOf, type Target } from '../../delivery/targets.ts';
import { HubError } from '../../errors.ts';
import { FormDefinition, TargetInfo } from '../../schemas/target.ts';
import { problems } from '../common.ts';

function location(t: Target['transport']): string {
  if (t.type === 'folder') return t.dir ?? '（HUB_OUTBOX_DIR 未設定）';
  if (t.type === 'http') {
    const url = new URL(t.url);
    return `${url.origin}${url.pathname}`;
  }
  return `${t.host}:${t.port}${t.dir.startsWith('/') ? '' : '/'}${t.dir}`;
}

/** Which core system takes which form, and how: the targets and the forms' contracts. */
export const targetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { targets, mappings } = app.hub;
  const definition = (id: string) => {
    const form = mappings.forms.get(id);
    if (!form) throw new HubError('HUB_ERR_FORM_UNKNOWN', { formId: id });
    return {
      id: form.id,
      title: form.title,
      ...(form.signatureGroup ? { signatureGroup: form.signatureGroup } : {}),
      procedures: form.procedures ?? [form.id],
      handoff: handoffOf(targets, form),
      fields: form.fields,
    };
  };

  app.get(
    '/targets',
    {
      schema: {
        tags: ['operations'],
        operationId: 'listTargets',
        summary: 'The core systems accepted forms are delivered to: their forms, formats and transports',
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref(TargetInfo)), total: Type.Integer() }),
          ...problems(401),
        },
      },
    },
    async () => {
      const items = targets.map((t) => ({
        id: t.id,
        title: t.writer.manifest.title,
        version: t.writer.manifest.version,
        formats: t.writer.manifest.formats,
        encodings: t.writer.manifest.encodings,
        forms: t.writer.manifest.forms,
        transport: { type: t.transport.type, location: location(t.transport) },
        maxAttempts: t.maxAttempts,
      }));
      return { items, total: items.length };
    },
  );

  app.get(
    '/forms',
    {
      schema: {
        tags: ['visits'],
        operationId: 'listForms',
        summary:
          'Every form: its fields (type, required, length, choices) and where it goes (targets or paper)',
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref(FormDefinition)), total: Type.Integer() }),
          ...problems(401),
        },
      },
    },
    async () => {
      const items = [...mappings.forms.keys()].sort().map(definition);
      return { items, total: items.length };
    },
  );

  app.get(
    '/forms/:formId',
    {
      schema: {
        tags: ['visits'],
        operationId: 'getForm',
        summary: 'One form definition',
        params: Type.Object({ formId: Type.String() }),
        response: { 200: Type.Ref(FormDefinition), ...problems(401, 404) },
      },
    },
    async (request) => definition(request.params.formId),
  );
};
