import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HubError } from '../errors.ts';
import { findUnstorable, findUnstorableIn, isPlainFileName } from '../normalize/storable-text.ts';

function refuse(where: string, what: string): never {
  throw new HubError('HUB_ERR_REQUEST_CHARACTER', { where, what });
}

/** Header values are Latin-1; the hub's own `X-` headers carry percent-encoded UTF-8. */
function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function checkHeaders(request: FastifyRequest): void {
  for (const [name, raw] of Object.entries(request.headers)) {
    if (!name.startsWith('x-') || raw === undefined) continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      const text = decoded(value);
      const found = findUnstorable(text);
      if (found) refuse(`ヘッダ ${name}`, found.what);
      if (name === 'x-file-name' && !isPlainFileName(text)) throw new HubError('HUB_ERR_FILE_NAME');
    }
  }
}

/**
 * What no store can hold never reaches one: a NUL or a lone surrogate in the path, the query,
 * an `X-` header (after percent-decoding) or anywhere in a JSON body (keys included) answers
 * 400 `HUB_ERR_REQUEST_CHARACTER`; an `X-File-Name` that is not a plain name (`../`, `/`, `\`,
 * control characters) answers 400 `HUB_ERR_FILE_NAME`. `__proto__` and `constructor.prototype`
 * keys in JSON are refused by Fastify's parser (400).
 */
export const inputGuardPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request) => {
      const inPath = findUnstorableIn(request.params);
      if (inPath) refuse(`パス（${inPath.path}）`, inPath.what);
      const inQuery = findUnstorableIn(request.query);
      if (inQuery) refuse(`クエリ（${inQuery.path}）`, inQuery.what);
      checkHeaders(request);
    });
    app.addHook('preValidation', async (request) => {
      if (request.body === undefined || request.body === null || typeof request.body !== 'object') return;
      if (typeof (request.body as { pipe?: unknown }).pipe === 'function') return;
      const found = findUnstorableIn(request.body);
      if (found) refuse(`本文（${found.path || '/'}）`, found.what);
    });
  },
  { name: 'input-guard', dependencies: ['errors'] },
);
