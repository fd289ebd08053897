import type { App } from '../../src/app.ts';

/** One request the walk makes. */
export interface WalkRequest {
  method: 'GET' | 'POST';
  route: string;
  url: string;
  payload?: unknown;
}

type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
};

interface Operation {
  parameters?: { name: string; in: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** What the walk fills parameters and bodies with. */
export interface WalkValues {
  /** Every identifier the fixture has: persons, households, certificates, runs, visits, submissions. */
  ids: string[];
  /** Values for query parameters and body fields by name (kana, name, birthDate, number …). */
  byName: Record<string, string[]>;
}

/**
 * Every request that exercises the API's routes as `openapi.json` declares them: each path
 * parameter with every fixture id, each query parameter alone with every value for its name,
 * and for a JSON body every variant of its schema with each id-like field set to every id.
 * A route added later is walked without changing this.
 */
export function walkRequests(app: App, values: WalkValues): WalkRequest[] {
  const spec = app.swagger() as {
    paths: Record<string, Record<string, Operation>>;
    components?: { schemas?: Record<string, JsonSchema> };
  };
  const components = spec.components?.schemas ?? {};
  const deref = (s: JsonSchema | undefined): JsonSchema => {
    let schema = s ?? {};
    while (schema.$ref) schema = components[schema.$ref.split('/').pop()!] ?? {};
    return schema;
  };
  const candidates = (name: string, schema: JsonSchema): string[] => {
    const s = deref(schema);
    if (s.enum) return s.enum.map(String);
    if (values.byName[name]) return values.byName[name]!;
    if (/id$/i.test(name)) return values.ids;
    if (s.format === 'date') return values.byName.birthDate ?? ['2026-04-01'];
    return ['walk'];
  };

  const requests: WalkRequest[] = [];
  for (const [route, operations] of Object.entries(spec.paths)) {
    if (!route.startsWith('/v1/')) continue;
    for (const [verb, op] of Object.entries(operations)) {
      const method = verb.toUpperCase();
      if (method !== 'GET' && method !== 'POST') continue;
      const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
      const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query');
      let paths = [route];
      for (const p of pathParams) {
        paths = paths.flatMap((u) =>
          candidates(p.name, p.schema ?? {}).map((v) => u.replace(`{${p.name}}`, encodeURIComponent(v))),
        );
      }
      const queries = [
        '',
        ...queryParams.flatMap((p) =>
          candidates(p.name, p.schema ?? {}).map((v) => `?${p.name}=${encodeURIComponent(v)}`),
        ),
      ];
      const json = op.requestBody?.content?.['application/json']?.schema;
      const bodies =
        method === 'POST' ? (json ? bodyVariants(deref(json), deref, values) : [undefined]) : [undefined];
      for (const url of paths)
        for (const query of queries)
          for (const payload of bodies)
            requests.push({
              method: method as 'GET' | 'POST',
              route,
              url: url + query,
              ...(payload !== undefined ? { payload } : {}),
            });
    }
  }
  return requests;
}

/** Bodies for a JSON schema: one base value, then each id-like leaf set to every id. */
function bodyVariants(
  schema: JsonSchema,
  deref: (s: JsonSchema | undefined) => JsonSchema,
  values: WalkValues,
): unknown[] {
  const build = (s0: JsonSchema, name: string, vary: string | undefined, id: string): unknown => {
    const s = deref(s0);
    const union = s.anyOf ?? s.oneOf;
    if (union) return build(union[0]!, name, vary, id);
    if (s.const !== undefined) return s.const;
    if (s.enum) return s.enum[0];
    const type = Array.isArray(s.type) ? s.type[0] : s.type;
    if (type === 'object' || s.properties) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        if ((s.required ?? []).includes(k) || k === vary) out[k] = build(v, k, vary, id);
      }
      return out;
    }
    if (type === 'array') return [build(s.items ?? {}, name.replace(/s$/, ''), vary, id)];
    if (type === 'boolean') return true;
    if (type === 'integer' || type === 'number') return 1;
    if (s.format === 'date') return '2026-04-01';
    if (vary !== undefined && (name === vary || name === vary.replace(/s$/, ''))) return id;
    return values.byName[name]?.[0] ?? 'walk';
  };
  const idFields = new Set<string>();
  const collect = (s0: JsonSchema, seen: Set<JsonSchema>) => {
    const s = deref(s0);
    if (seen.has(s)) return;
    seen.add(s);
    for (const u of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) collect(u, seen);
    for (const [k, v] of Object.entries(s.properties ?? {})) {
      if (/Ids?$/.test(k)) idFields.add(k);
      collect(v, seen);
    }
    if (s.items) collect(s.items, seen);
  };
  collect(schema, new Set());
  const variants: unknown[] = [build(schema, '', undefined, '')];
  // Each variant of a union at the top or one level down (e.g. a visit's subjects), per id field.
  for (const field of idFields) {
    for (const id of values.ids) variants.push(withField(schema, deref, field, id, build));
  }
  return variants;
}

/** The base body with the union member that declares `field` chosen, and the field set. */
function withField(
  schema: JsonSchema,
  deref: (s: JsonSchema | undefined) => JsonSchema,
  field: string,
  id: string,
  build: (s: JsonSchema, name: string, vary: string | undefined, id: string) => unknown,
): unknown {
  const pick = (s0: JsonSchema): JsonSchema => {
    const s = deref(s0);
    const union = s.anyOf ?? s.oneOf;
    if (union) {
      const member = union.find((u) => JSON.stringify(deref(u)).includes(`"${field}"`)) ?? union[0]!;
      return pick(member);
    }
    if (!s.properties) return s;
    return {
      ...s,
      properties: Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, pick(v)])),
    };
  };
  return build(pick(schema), '', field, id);
}
