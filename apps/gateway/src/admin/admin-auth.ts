import { PkError } from '@pk/config';
import type { Catalog, CatalogSnapshot } from '@pk/store';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fastifyPlugin from 'fastify-plugin';

/**
 * Who may use the admin API, for every route that needs it (the admin routes here; the log and
 * analytics queries and the console reuse it). Built on the access guard: by the time a route runs,
 * `request.gatewayKey` is the authenticated key (or `null` on the keyless loopback default).
 */
export interface AdminAuth {
  /**
   * A preHandler that lets only an admin key through: 401 while no admin key exists at all (saying
   * how to create one), 403 for a user key, 403 for an admin key whose `scopes` do not include
   * `scope` (or any of `scope`, when a list: an admin key without scopes has them all).
   */
  requireAdmin(scope?: string | readonly string[]): preHandlerAsyncHookHandler;
  /** Throws the 403 of {@link requireAdmin} unless the request's admin key has one of `scopes`. */
  requireScope(request: FastifyRequest, scopes: readonly string[]): void;
  /** True when the request carries an admin key (an admin sees every tenant's data). */
  isAdmin(request: FastifyRequest): boolean;
  /** The audit log's actor for the request: `key:<gateway key id>`, or `anonymous`. */
  actorOf(request: FastifyRequest): string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** See {@link AdminAuth}; decorated by the `pk-admin-auth` plugin. */
    adminAuth: AdminAuth;
  }
}

/** What the admin API's 401 says while no admin key exists (the zero-setup default). */
export const NO_ADMIN_KEY_MESSAGE =
  'the admin API needs an admin key, and this gateway has none yet: create one with `pk init` ' +
  '(it writes to the data store directly, the gateway may be running; a key it just made is seen within a ' +
  'second) and send it in x-portkey-api-key';

/** Whether a snapshot holds an active admin key, computed once per snapshot. */
function adminKeyExistsIn(cache: WeakMap<CatalogSnapshot, boolean>, snapshot: CatalogSnapshot): boolean {
  let exists = cache.get(snapshot);
  if (exists === undefined) {
    exists = false;
    for (const key of snapshot.gatewayKeysByHash.values()) {
      if (key.role === 'admin') {
        exists = true;
        break;
      }
    }
    cache.set(snapshot, exists);
  }
  return exists;
}

/** Creates the admin authorisation over a catalog (its snapshot's keys, read per request). */
export function createAdminAuth(catalog: Catalog): AdminAuth {
  const adminKeyExists = new WeakMap<CatalogSnapshot, boolean>();
  const requireScope = (request: FastifyRequest, scopes: readonly string[]): void => {
    const granted = request.gatewayKey?.scopes ?? [];
    if (granted.length === 0 || scopes.some((scope) => granted.includes(scope))) return;
    throw new PkError('PK_ERR_FORBIDDEN', `this admin key's scopes do not include ${scopes.join(' or ')}`, {
      param: 'x-portkey-api-key',
    });
  };
  return {
    requireAdmin(scope) {
      return async (request) => {
        const key = request.gatewayKey;
        if (key?.role === 'admin') {
          if (scope !== undefined) requireScope(request, typeof scope === 'string' ? [scope] : scope);
          return;
        }
        if (!adminKeyExistsIn(adminKeyExists, catalog.snapshot)) {
          throw new PkError('PK_ERR_UNAUTHORIZED', NO_ADMIN_KEY_MESSAGE, { param: 'x-portkey-api-key' });
        }
        if (key === null) {
          throw new PkError('PK_ERR_UNAUTHORIZED', 'the admin API needs an admin key in x-portkey-api-key', {
            param: 'x-portkey-api-key',
          });
        }
        throw new PkError(
          'PK_ERR_FORBIDDEN',
          'this gateway key is a user key: the admin API needs an admin key (role admin)',
          { param: 'x-portkey-api-key' },
        );
      };
    },
    requireScope,
    isAdmin: (request) => request.gatewayKey?.role === 'admin',
    actorOf: (request) => (request.gatewayKey ? `key:${request.gatewayKey.id}` : 'anonymous'),
  };
}

/**
 * Decorates the app with `adminAuth` (see {@link AdminAuth}). Register it once, after the access
 * guard; routes use `{ preHandler: app.adminAuth.requireAdmin('configs.create') }`.
 */
export const adminAuthPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: { readonly catalog: Catalog }) => {
    app.decorate('adminAuth', createAdminAuth(options.catalog));
  },
  { name: 'pk-admin-auth', dependencies: ['pk-access-guard'] },
);
