import { type Static, Type } from '@sinclair/typebox';
import { FormField } from '../prefill/forms.ts';
import { Handoff } from './form.ts';

export const TargetInfo = Type.Object(
  {
    id: Type.String({ description: 'the write adapter id; one outbox folder per target' }),
    title: Type.String(),
    version: Type.String(),
    formats: Type.Array(Type.String()),
    encodings: Type.Array(Type.String()),
    forms: Type.Array(Type.String(), { description: 'the forms whose accepted submissions it takes' }),
    transport: Type.Object({
      type: Type.Union([Type.Literal('folder'), Type.Literal('sftp'), Type.Literal('http')]),
      location: Type.String({ description: 'folder path, sftp host:port/dir, or the URL (no secrets)' }),
    }),
    maxAttempts: Type.Integer(),
  },
  { $id: 'TargetInfo' },
);
export type TargetInfo = Static<typeof TargetInfo>;

export const FormDefinition = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    signatureGroup: Type.Optional(Type.String()),
    procedures: Type.Array(Type.String(), { description: '手続ナビ procedures the form serves' }),
    handoff: Type.Ref(Handoff),
    fields: Type.Array(Type.Ref(FormField)),
  },
  { $id: 'FormDefinition', description: 'a form as defined: its fields’ contract and where it goes' },
);
export type FormDefinition = Static<typeof FormDefinition>;
