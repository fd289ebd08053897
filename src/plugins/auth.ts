import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Scope, StoredKey } from '../config/api-keys.ts';
import { HubError } from '../errors.ts';
import { createKeyring, type Keyring } from './keyring.ts';

export interface Client {
  id: string;
  scopes: Set<Scope>;
}

export interface RequestPurpose {
  visitId?: string;
  purpose?: string;
  staffId?: string;
  /** Set only for an `admin` client that sent `X-Restricted-Access: <reason>`. */
  restrictedReason?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The API keys in force (reloadable); the console signs in with them too. */
    keyring: Keyring;
  }
  interface FastifyRequest {
    client?: Client;
    why?: RequestPurpose;
  }
  interface FastifyContextConfig {
    /** The scope a route needs; `admin` implies all. */
    scope?: Scope;
    /** The route returns personal data: X-Visit-Id or X-Purpose is required and the answer audited. */
    personal?: boolean;
  }
}

export function hasScope(client: Client | undefined, scope: Scope): boolean {
  return !!client && (client.scopes.has(scope) || client.scopes.has('admin'));
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.trim() !== '' ? s.trim() : undefined;
}

export interface AuthOptions {
  apiKeys: StoredKey[];
  /** The `HUB_API_KEYS=@file` file, re-read on SIGHUP and when it changes. */
  apiKeysFile?: string;
  /** Keys that are not configured but kept across reloads (the local CLI's). */
  fixedKeys?: StoredKey[];
  /** Whether a visit id belongs to the client (visits are kept per client). */
  visitBelongsTo(visitId: string, clientId: string): Promise<boolean>;
}

/**
 * API keys with scopes (`Authorization: Bearer <key>`) for every `/v1` route and every route
 * that names a scope (`/metrics`), and the purpose rule for routes marked `personal`. Keys are
 * kept hashed and compared in constant time; the key file is reloaded without a restart.
 */
export const authPlugin = fp<AuthOptions>(
  async (app: FastifyInstance, options) => {
    const keyring = createKeyring({
      keys: options.apiKeys,
      ...(options.apiKeysFile ? { file: options.apiKeysFile } : {}),
      ...(options.fixedKeys ? { fixed: options.fixedKeys } : {}),
      log: app.log,
    });
    keyring.start();
    app.decorate('keyring', keyring);
    app.addHook('onClose', async () => keyring.stop());
    app.addHook('onRequest', async (request) => {
      // Decided by the matched route, not the raw URL, so that no spelling of a path skips it.
      const route = request.routeOptions.url;
      const guarded =
        route !== undefined &&
        (route === '/v1' || route.startsWith('/v1/') || request.routeOptions.config.scope !== undefined);
      if (!guarded) return;
      const auth = header(request, 'authorization');
      const m = auth ? /^Bearer\s+(.+)$/i.exec(auth) : null;
      if (!m) throw new HubError('HUB_ERR_UNAUTHORIZED');
      const found = keyring.find(m[1]!.trim());
      if (!found) throw new HubError('HUB_ERR_UNAUTHORIZED');
      request.client = { id: found.id, scopes: new Set(found.scopes) };
    });
    app.addHook('preHandler', async (request) => {
      const config = request.routeOptions.config;
      const route = request.routeOptions.url;
      if (route === undefined || (!route.startsWith('/v1/') && config.scope === undefined)) return;
      if (!request.client) throw new HubError('HUB_ERR_UNAUTHORIZED');
      if (config.scope && !hasScope(request.client, config.scope)) {
        throw new HubError('HUB_ERR_FORBIDDEN', { scope: config.scope });
      }
      if (!config.personal) return;
      const visitId = header(request, 'x-visit-id');
      const purpose = header(request, 'x-purpose');
      if (!visitId && !purpose) throw new HubError('HUB_ERR_PURPOSE_REQUIRED');
      if (visitId && !(await options.visitBelongsTo(visitId, request.client.id))) {
        throw new HubError('HUB_ERR_VISIT_UNKNOWN', { visitId });
      }
      const restricted = header(request, 'x-restricted-access');
      const staffId = header(request, 'x-staff-id');
      request.why = {
        ...(visitId ? { visitId } : {}),
        ...(purpose ? { purpose: decodeHeader(purpose) } : {}),
        ...(staffId ? { staffId } : {}),
        ...(restricted && request.client.scopes.has('admin')
          ? { restrictedReason: decodeHeader(restricted) }
          : {}),
      };
    });
  },
  { name: 'auth' },
);

/** Header values are Latin-1 on the wire; clients send Japanese text percent-encoded. */
function decodeHeader(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
