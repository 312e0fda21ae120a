import { PkError, parseConfig } from '@pk/config';
import { type Catalog, type CatalogSnapshot, type GatewayKey, type Store, StoreError } from '@pk/store';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { type AdminRouteOptions, adminRouteSet } from '../admin/admin-routes.js';
import { missingVirtualKeyIssues } from '../admin/config-references.js';
import { answerStoreErrors } from '../admin/store-errors.js';
import { findGatewayKey, hostnameOf, LOOPBACK_HOSTS } from '../plugins/access-guard.js';
import { sendPkError } from '../plugins/error-envelope.js';
import { readCookie, SESSION_COOKIE, sessionCookie } from './cookies.js';

/** The header the console's writes carry the session's CSRF token in. */
export const CSRF_HEADER = 'x-pk-csrf';
/** The CSRF token of the keyless loopback default (no session: the custom header alone is the guard). */
const KEYLESS_CSRF = 'keyless';

/** What the console's API needs. */
export interface ConsoleApiOptions extends AdminRouteOptions {
  readonly catalog: Catalog;
  readonly store: Store;
  /** Whether the keyless loopback default applies (as for the API: no key configured). */
  readonly allowKeyless: boolean;
  readonly trustedCustomHosts: readonly string[];
  /**
   * Further route plugins served behind the session check (the log, trace and analytics queries):
   * the same handlers as under `/v1`, here at `/console/api`.
   */
  readonly extraRoutes?: readonly ((scope: FastifyInstance) => Promise<void>)[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The console session's CSRF token (or the keyless one), once the console guard has run. */
    consoleCsrf: string | null;
  }
}

const keysById = new WeakMap<CatalogSnapshot, Map<string, GatewayKey>>();
/** The active key with id `id` in the snapshot (indexed once per snapshot). */
function activeKeyById(snapshot: CatalogSnapshot, id: string): GatewayKey | undefined {
  let byId = keysById.get(snapshot);
  if (!byId) {
    byId = new Map([...snapshot.gatewayKeysByHash.values()].map((key) => [key.id, key]));
    keysById.set(snapshot, byId);
  }
  const key = byId.get(id);
  if (!key || (key.expiresAt !== undefined && key.expiresAt <= Date.now())) return undefined;
  return key;
}

/** True on the zero-setup default: no key exists and the request is addressed to loopback. */
function isKeyless(request: FastifyRequest, snapshot: CatalogSnapshot, allowKeyless: boolean): boolean {
  return (
    allowKeyless &&
    snapshot.gatewayKeysByHash.size === 0 &&
    LOOPBACK_HOSTS.has(hostnameOf(request.headers.host ?? ''))
  );
}

/** Who a key is, as the console shows it (never its secret or hash). */
function describeKey(key: GatewayKey | null): Record<string, unknown> | null {
  return key === null ? null : { id: key.id, name: key.name, role: key.role, tenant: key.tenant };
}

/** The `host[:port]` of an `Origin` header, or '' when it is not a URL (`null`, garbage). */
function hostOfOrigin(origin: string): string {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return '';
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The console's own API at `/console/api`: sign-in (a gateway key exchanged for a session cookie),
 * sign-out, who is signed in, a config check for the editor, and the admin routes themselves behind
 * the session. The cookie authenticates these routes only (it is scoped to `/console`, and the
 * access guard never reads cookies); every request must be same-origin, and every write must carry
 * the session's CSRF token in `x-pk-csrf`. A session ends when its key is revoked or expires (the
 * key is looked up in the live snapshot on each request, refreshed within a second of a change).
 */
export async function consoleApi(app: FastifyInstance, options: ConsoleApiOptions): Promise<void> {
  const { catalog, store, allowKeyless } = options;
  app.decorateRequest('consoleCsrf', null);
  // The session lookup and sign-in read the store: while it is down they answer 503, like the admin routes.
  answerStoreErrors(app, 'PK_ERR_RECORD_NOT_FOUND');

  app.addHook('onRequest', async (request, reply) => {
    // Only the console's own page may call its API: a cross-site request is refused before anything.
    // The host is compared, not the scheme: behind a TLS-terminating proxy the page is https while
    // the gateway sees http.
    const origin = request.headers.origin;
    if (typeof origin === 'string' && hostOfOrigin(origin) !== (request.headers.host ?? '').toLowerCase()) {
      return sendPkError(reply, request, 'PK_ERR_FORBIDDEN', 'the console API answers its own page only');
    }
    const fetchSite = request.headers['sec-fetch-site'];
    if (fetchSite === 'cross-site' || fetchSite === 'same-site') {
      return sendPkError(reply, request, 'PK_ERR_FORBIDDEN', 'the console API answers its own page only');
    }
    const snapshot = catalog.snapshot;
    const path = request.url.split('?', 1)[0];
    const isSessionRoute = path === '/console/api/session';
    if (isKeyless(request, snapshot, allowKeyless)) {
      request.gatewayKey = null;
      request.tenant = 'anonymous';
      request.consoleCsrf = KEYLESS_CSRF;
    } else if (snapshot.gatewayKeysByHash.size === 0 && !isSessionRoute) {
      return sendPkError(
        reply,
        request,
        'PK_ERR_FORBIDDEN',
        'this gateway has no API keys configured and only answers requests addressed to localhost, 127.0.0.1 or [::1]',
      );
    } else {
      const token = readCookie(request.headers.cookie, SESSION_COOKIE);
      const session = token === undefined ? undefined : await store.consoleSessions.find(token);
      const key = session === undefined ? undefined : activeKeyById(snapshot, session.keyId);
      if (token !== undefined && session !== undefined && key === undefined) {
        // Its key was revoked or expired: the session is over on every replica.
        await store.consoleSessions.delete(token).catch(() => false);
      }
      if (!key || !session) {
        if (isSessionRoute) return undefined;
        return sendPkError(
          reply,
          request,
          'PK_ERR_UNAUTHORIZED',
          'sign in to the console with a gateway key',
        );
      }
      request.gatewayKey = key;
      request.tenant = key.tenant;
      request.consoleCsrf = session.csrfToken;
    }
    if (!SAFE_METHODS.has(request.method) && !(isSessionRoute && request.method === 'POST')) {
      if (request.headers[CSRF_HEADER] !== request.consoleCsrf) {
        return sendPkError(
          reply,
          request,
          'PK_ERR_FORBIDDEN',
          `a console write must carry the session's CSRF token in ${CSRF_HEADER}`,
          CSRF_HEADER,
        );
      }
    }
    return undefined;
  });

  app.get('/session', async (request) => {
    const snapshot = catalog.snapshot;
    const keyless = isKeyless(request, snapshot, allowKeyless);
    const signedIn = keyless || request.consoleCsrf !== null;
    return {
      signed_in: signedIn,
      keyless,
      key: describeKey(request.gatewayKey),
      csrf_token: request.consoleCsrf,
      admin_key_exists: [...snapshot.gatewayKeysByHash.values()].some((key) => key.role === 'admin'),
    };
  });

  app.post('/session', async (request, reply) => {
    const body = request.body as { key?: unknown } | undefined;
    const presented = typeof body?.key === 'string' ? body.key.trim() : '';
    const key = presented === '' ? undefined : findGatewayKey(catalog.snapshot.gatewayKeysByHash, presented);
    if (!key || (key.expiresAt !== undefined && key.expiresAt <= Date.now())) {
      throw new PkError('PK_ERR_UNAUTHORIZED', 'that is not an active gateway key', { param: 'key' });
    }
    const previous = readCookie(request.headers.cookie, SESSION_COOKIE);
    let created: Awaited<ReturnType<Store['consoleSessions']['create']>>;
    try {
      if (previous !== undefined) await store.consoleSessions.delete(previous);
      created = await store.consoleSessions.create(key.id);
    } catch (error) {
      if (error instanceof StoreError && error.code === 'unavailable') {
        throw new PkError(
          'PK_ERR_STORE_UNAVAILABLE',
          'cannot sign in while the data store is unavailable (sessions are kept there); try again shortly. Requests through the gateway are still served.',
        );
      }
      throw error;
    }
    const { token, session } = created;
    reply.header(
      'set-cookie',
      sessionCookie(token, (session.expiresAt - Date.now()) / 1000, request.protocol === 'https'),
    );
    return { signed_in: true, keyless: false, key: describeKey(key), csrf_token: session.csrfToken };
  });

  app.delete('/session', async (request, reply) => {
    const token = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (token !== undefined) await store.consoleSessions.delete(token);
    reply.header('set-cookie', sessionCookie('', 0, request.protocol === 'https'));
    return { signed_in: false };
  });

  /** The names of the virtual keys and configs the signed-in key may use (an admin: all). */
  app.get('/catalog', async (request) => {
    const snapshot = catalog.snapshot;
    const key = request.gatewayKey;
    const allowed = (names: Iterable<string>, only: ReadonlySet<string> | undefined): string[] =>
      [...names].filter((name) => key?.role === 'admin' || only === undefined || only.has(name)).sort();
    return {
      virtual_keys: allowed(snapshot.virtualKeys.keys(), key?.virtualKeys),
      configs: allowed(snapshot.configs.keys(), key?.configs),
    };
  });

  /**
   * The config editor's check as you type: `parseConfig`'s problems, each at its path, then what a
   * save would refuse besides (guardrails and virtual keys that do not exist). The editor's, so an
   * admin's (or the keyless loopback console's): a user key would learn from it which virtual keys
   * exist beyond those it may use.
   */
  const requireConfigEditor = app.adminAuth.requireAdmin(['configs.create', 'configs.update']);
  const configEditorOnly: preHandlerAsyncHookHandler = async function (request, reply) {
    if (request.gatewayKey !== null) await requireConfigEditor.call(this, request, reply);
  };
  app.post('/config-check', { preHandler: configEditorOnly }, async (request) => {
    const body = request.body as { config?: unknown } | undefined;
    let value = body?.config;
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value) as unknown;
      } catch (error) {
        return { ok: false, issues: [{ path: 'config', message: (error as Error).message }], warnings: [] };
      }
    }
    const parsed = parseConfig(value, { trustedCustomHosts: options.trustedCustomHosts });
    if (!parsed.ok) return { ok: false, issues: parsed.issues, warnings: parsed.warnings };
    const issues = [
      ...options.guardrails.validateConfig(parsed.config),
      ...missingVirtualKeyIssues(parsed.config, catalog.snapshot),
    ];
    return { ok: issues.length === 0, issues, warnings: parsed.warnings };
  });

  // The same handlers as `/v1/configs` …, here at `/console/api/configs` ….
  const { guardrails, usage } = options;
  await app.register(adminRouteSet, { store, guardrails, usage });
  for (const routes of options.extraRoutes ?? []) await app.register(routes);
}
