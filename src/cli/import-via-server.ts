import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { type ErrorCode, errorCatalog, HubError } from '../errors.ts';
import type { LocalServer } from '../runtime/local-server.ts';
import type { ImportRun, Reject } from '../schemas/import-run.ts';

/** A problem answer of the server, as the CLI reports it. */
export class ServerProblem extends Error {
  constructor(
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

async function problemOf(res: Response): Promise<Error> {
  const body = (await res.json().catch(() => ({}))) as { code?: string; detail?: string; adapter?: string };
  const code = body.code ?? 'HUB_ERR_INTERNAL';
  if (code === 'HUB_ERR_ADAPTER_UNKNOWN' || code === 'HUB_ERR_ENCODING_UNSUPPORTED') {
    const e = new HubError(code as ErrorCode);
    e.message = body.detail ?? errorCatalog[code as ErrorCode].detail;
    return e;
  }
  return new ServerProblem(code, body.detail ?? `HTTP ${res.status}`);
}

/**
 * Imports one file through the hub that serves this data folder (it holds the folder's lock):
 * the bytes are streamed to `POST /v1/imports` with the server's local key, and the run and
 * its rejected rows come back as a local import would give them.
 */
export async function importViaServer(
  server: LocalServer,
  file: string,
  options: { adapter: string; encoding?: string; mode?: string; strict?: string; maxRejects?: string },
): Promise<{ run: ImportRun; rejects: Reject[] }> {
  const url = new URL('/v1/imports', server.url);
  url.searchParams.set('adapter', options.adapter);
  if (options.encoding) url.searchParams.set('encoding', options.encoding);
  if (options.mode) url.searchParams.set('mode', options.mode);
  if (options.strict) url.searchParams.set('strict', options.strict);
  if (options.maxRejects) url.searchParams.set('maxRejects', options.maxRejects);
  const headers = { authorization: `Bearer ${server.key}` };
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      ...headers,
      'content-type': 'application/octet-stream',
      'x-file-name': encodeURIComponent(path.basename(file)),
    },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  if (res.status !== 201) throw await problemOf(res);
  const run = (await res.json()) as ImportRun;
  const rejectsUrl = new URL(`/v1/imports/${encodeURIComponent(run.id)}/rejects?limit=500`, server.url);
  const page = await fetch(rejectsUrl, {
    headers: { ...headers, 'x-purpose': encodeURIComponent('CLI取込の結果表示') },
  });
  if (page.status !== 200) throw await problemOf(page);
  return { run, rejects: ((await page.json()) as { items: Reject[] }).items };
}
