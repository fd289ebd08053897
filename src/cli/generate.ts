import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import type { App } from '../app.ts';
import { CodeTableFile, FieldSpec, MappingFile, MappingTestFile, Transform } from '../mapping/schema.ts';
import { FixedField, FixedLayoutFile, FixedRecordType } from '../parsers/fixed-width.ts';
import { FieldCategory, FieldType, FormField, FormFile, FormHandoff } from '../prefill/forms.ts';
import { ProcedureRulesFile, ruleReferences } from '../procedures/rules.ts';

/** The OpenAPI document as committed: stable key order from the routes, two-space JSON. */
export async function openApiText(app: App): Promise<string> {
  await app.ready();
  return `${JSON.stringify(app.swagger(), null, 2)}\n`;
}

/** JSON Schema (draft 2020-12 style, `$defs`) of a TypeBox schema with its references inlined as defs. */
function jsonSchema(root: TSchema, refs: TSchema[], title: string): string {
  const defs = Object.fromEntries(refs.map((r) => [r.$id as string, r]));
  const text = JSON.stringify(
    { $schema: 'https://json-schema.org/draft/2020-12/schema', title, ...root, $defs: defs },
    null,
    2,
  );
  // TypeBox refs are bare ids; point them at `$defs`.
  return `${text.replace(/"\$ref": "([A-Za-z]+)"/g, '"$ref": "#/$defs/$1"')}\n`;
}

export const mappingSchemaFiles: Record<string, () => string> = {
  'mapping.schema.json': () => jsonSchema(MappingFile, [FieldSpec, Transform], 'madoguchi-hub mapping file'),
  'mapping-test.schema.json': () => jsonSchema(MappingTestFile, [], 'madoguchi-hub mapping test file'),
  'code-table.schema.json': () => jsonSchema(CodeTableFile, [], 'madoguchi-hub code table'),
  'procedure-rules.schema.json': () =>
    jsonSchema(ProcedureRulesFile, ruleReferences, 'madoguchi-hub procedure rules'),
  'form.schema.json': () =>
    jsonSchema(FormFile, [FormField, FieldCategory, FieldType, FormHandoff], 'madoguchi-hub form definition'),
  'fixed-layout.schema.json': () =>
    jsonSchema(FixedLayoutFile, [FixedField, FixedRecordType], 'madoguchi-hub fixed-width layout'),
};

export async function writeMappingSchemas(mappingsDir: string): Promise<string[]> {
  const dir = path.join(mappingsDir, 'schema');
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, make] of Object.entries(mappingSchemaFiles)) {
    const file = path.join(dir, name);
    await writeFile(file, make());
    written.push(file);
  }
  return written;
}
