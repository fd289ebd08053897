import { createHash } from 'node:crypto';
import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type SerializerFactory = ReturnType<typeof SerializerSelector>;
type Serializer = ReturnType<ReturnType<SerializerFactory>>;

/**
 * Fastify's own schema compilers, shared by every hub this process builds, with the response
 * serializers kept per schema. Fastify compiles one serializer per route and status; most of
 * them are the same few schemas (the problem answers, `Person`), and each compile walks every
 * shared schema: the hub spent ~2.5 s of its start-up there (and every test that builds a hub).
 * A serializer depends only on its schema, the shared schemas and the options, which make its
 * key. Validators come from one shared Ajv pool (the same compiler Fastify uses by default).
 */
const serializers = new Map<string, Serializer>();
const compileSerializer = SerializerSelector();

const buildSerializer: SerializerFactory = (externalSchemas, options) => {
  const compile = compileSerializer(externalSchemas, options);
  const context = createHash('sha256')
    .update(JSON.stringify(externalSchemas ?? {}))
    .update(JSON.stringify(options ?? {}))
    .digest('base64');
  return (route) => {
    const key = `${context}:${JSON.stringify(route.schema)}`;
    let serializer = serializers.get(key);
    if (!serializer) {
      serializer = compile(route);
      serializers.set(key, serializer);
    }
    return serializer;
  };
};

export const schemaController: FastifyServerOptions['schemaController'] = {
  compilersFactory: {
    buildValidator: AjvCompiler(),
    buildSerializer: buildSerializer as never,
  },
};
