import { type Catalog, type GatewayKey, hashGatewayKeySecret } from '@pk/store';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { isExportFileUrl } from '../request-logs/export-file-url.js';
import { HEALTH_PATHS } from '../routes/health.js';
import { sendPkError } from './error-envelope.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The gateway key the request authenticated with, or `null` when no keys are configured. */
    gatewayKey: GatewayKey | null;
    /** The tenant: the gateway key's tenant (its id by default), or `anonymous`. Cache entries and limits never cross tenants. */
    tenant: string;
    /** True when `Authorization` carried the gateway key: it must then never be sent upstream. */
    authorizationIsGatewayKey: boolean;
  }
}

/** Host names a keyless gateway answers to (DNS-rebinding protection). */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `Host` header without its port. */
export function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) {
    const end = hostHeader.indexOf(']');
    return end === -1 ? hostHeader : hostHeader.slice(0, end + 1).toLowerCase();
  }
  const colon = hostHeader.indexOf(':');
  return (colon === -1 ? hostHeader : hostHeader.slice(0, colon)).toLowerCase();
}

/**
 * The active key whose secret is `presented`, looked up by the secret's SHA-256 (the store keeps
 * nothing else). A hash-map lookup of a digest tells an attacker nothing about a secret's bytes, so
 * no constant-time comparison is needed; it is also one hash per request whatever the key count.
 */
export function findGatewayKey(
  keysByHash: ReadonlyMap<string, GatewayKey>,
  presented: string,
): GatewayKey | undefined {
  return keysByHash.get(hashGatewayKeySecret(presented));
}

function bearerToken(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization !== 'string') return undefined;
  return authorization.toLowerCase().startsWith('bearer ')
    ? authorization.slice(7).trim()
    : authorization.trim();
}

/** True when `x-portkey-api-key` or the bearer token is a revoked or expired gateway key. */
function presentsRetiredKey(request: FastifyRequest, retired: ReadonlySet<string>): boolean {
  if (retired.size === 0) return false;
  const apiKeyHeader = request.headers['x-portkey-api-key'];
  if (typeof apiKeyHeader === 'string' && retired.has(hashGatewayKeySecret(apiKeyHeader))) return true;
  const bearer = bearerToken(request);
  return bearer !== undefined && retired.has(hashGatewayKeySecret(bearer));
}

/** Paths open without a gateway key (liveness probes). */
const PUBLIC_PATHS = new Set(HEALTH_PATHS);

/** What the access guard needs. */
export interface AccessGuardOptions {
  /** The live catalog: its snapshot's keys are read once per request. */
  readonly catalog: Catalog;
  readonly allowedOrigins: readonly string[];
  /**
   * Whether requests may go without a key while none exists (loopback `Host` only): true when the
   * gateway listens on loopback or `PK_ALLOW_UNAUTHENTICATED` is set. Otherwise, once every key is
   * revoked, requests get 401 instead of falling back to the keyless mode.
   */
  readonly allowKeyless?: boolean;
  /** Told which key authenticated a request (the store writes last-used times in batches). */
  readonly onKeyUsed?: (key: GatewayKey, at: number) => void;
  /**
   * A path prefix that authenticates on its own (the console, `/console`: a session cookie, same-origin
   * requests only): left alone here but for the Host check. Its requests never get a gateway key here.
   */
  readonly ownAuthPrefix?: string;
}

/** True when `url` is `prefix` itself or under it (`/console`, `/console/…`, `/console?…`). */
export function isUnderPrefix(url: string, prefix: string): boolean {
  if (!url.startsWith(prefix)) return false;
  const next = url.charCodeAt(prefix.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */;
}

/**
 * Who may call the gateway. An HTTP/1.1 request without `Host` is refused first (400). With gateway
 * keys: `x-portkey-api-key` (or `Authorization: Bearer <key>`) must match an active, unexpired one,
 * else 401. Without keys: only loopback `Host` names and allowed `Origin`s, else 403, so a web page
 * cannot reach stored credentials through DNS rebinding. Keys come from the catalog's snapshot, so
 * keys created or revoked at run time count from the next request.
 */
export const accessGuardPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: AccessGuardOptions) => {
    const { catalog, onKeyUsed, ownAuthPrefix } = options;
    const allowKeyless = options.allowKeyless ?? true;
    const origins = new Set(options.allowedOrigins);
    app.decorateRequest('gatewayKey', null);
    app.decorateRequest('tenant', 'anonymous');
    app.decorateRequest('authorizationIsGatewayKey', false);
    // Async on purpose (the other onRequest hooks are callbacks): its promise defers routing to a
    // microtask, after the HTTP parser has run through the rest of the bytes it was given. A request
    // whose body is malformed (bad chunking) is then answered with the parser's 400; with every hook
    // synchronous, a route that needs no body (a 404, /health) answered before the parser reached the
    // bad bytes, and the client never learnt its body was malformed (server.test.ts, "what the HTTP
    // parser rejects").
    app.addHook('onRequest', async (request, reply) => {
      // Node's own check (requireHostHeader) answers a bare 400; this one answers in the envelope.
      if (!request.headers.host && request.raw.httpVersion === '1.1') {
        return sendPkError(
          reply,
          request,
          'PK_ERR_INVALID_REQUEST',
          'an HTTP/1.1 request must carry a Host header (RFC 9112 §3.2)',
          'host',
        );
      }
      if (ownAuthPrefix !== undefined && isUnderPrefix(request.url, ownAuthPrefix)) return undefined;
      const origin = request.headers.origin;
      if (typeof origin === 'string' && !origins.has(origin)) {
        return sendPkError(
          reply,
          request,
          'PK_ERR_FORBIDDEN',
          `requests from origin ${JSON.stringify(origin)} are not allowed`,
        );
      }
      const snapshot = catalog.snapshot;
      const gatewayKeys = snapshot.gatewayKeysByHash;
      if (gatewayKeys.size === 0 && allowKeyless) {
        // A revoked or expired key stays refused (and is never forwarded as a provider key) after
        // the last active key is gone. Only hashed when some key was ever retired.
        if (snapshot.retiredKeyHashes.size > 0 && presentsRetiredKey(request, snapshot.retiredKeyHashes)) {
          return sendPkError(
            reply,
            request,
            'PK_ERR_UNAUTHORIZED',
            'this gateway key has been revoked or has expired',
            'x-portkey-api-key',
          );
        }
        const host = hostnameOf(request.headers.host ?? '');
        if (!LOOPBACK_HOSTS.has(host)) {
          return sendPkError(
            reply,
            request,
            'PK_ERR_FORBIDDEN',
            'this gateway has no API keys configured and only answers requests addressed to localhost, 127.0.0.1 or [::1]',
          );
        }
        return undefined;
      }
      if (PUBLIC_PATHS.has(request.url)) return undefined;
      const apiKeyHeader = request.headers['x-portkey-api-key'];
      let key: GatewayKey | undefined;
      if (typeof apiKeyHeader === 'string' && apiKeyHeader !== '') {
        key = findGatewayKey(gatewayKeys, apiKeyHeader);
        const bearer = bearerToken(request);
        request.authorizationIsGatewayKey = bearer !== undefined && bearer === apiKeyHeader;
      } else {
        const bearer = bearerToken(request);
        key = bearer === undefined ? undefined : findGatewayKey(gatewayKeys, bearer);
        request.authorizationIsGatewayKey = key !== undefined;
      }
      const now = key?.expiresAt === undefined ? 0 : Date.now();
      if (!key || (key.expiresAt !== undefined && key.expiresAt <= now)) {
        // An export's file opens with its download link's token (checked by its route), not a key:
        // looked at only here, so requests that carry a key pay nothing for it.
        if (isExportFileUrl(request.url)) return undefined;
        const retired = key !== undefined || presentsRetiredKey(request, snapshot.retiredKeyHashes);
        return sendPkError(
          reply,
          request,
          'PK_ERR_UNAUTHORIZED',
          retired
            ? 'this gateway key has been revoked or has expired'
            : 'a valid gateway key is required in x-portkey-api-key (or Authorization: Bearer)',
          'x-portkey-api-key',
        );
      }
      request.gatewayKey = key;
      request.tenant = key.tenant;
      onKeyUsed?.(key, now || Date.now());
      return undefined;
    });
  },
  { name: 'pk-access-guard', dependencies: ['pk-trace-id'] },
);
