import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { GatewayKey, GatewaySettings } from '../settings/load-settings.js';
import { sendPkError } from './error-envelope.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The gateway key the request authenticated with, or `null` when no keys are configured. */
    gatewayKey: GatewayKey | null;
    /** The tenant: the gateway key's id, or `anonymous`. Cache entries and limits never cross tenants. */
    tenant: string;
    /** True when `Authorization` carried the gateway key: it must then never be sent upstream. */
    authorizationIsGatewayKey: boolean;
  }
}

/** Host names a keyless gateway answers to (DNS-rebinding protection). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `Host` header without its port. */
export function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) {
    const end = hostHeader.indexOf(']');
    return end === -1 ? hostHeader : hostHeader.slice(0, end + 1).toLowerCase();
  }
  const colon = hostHeader.indexOf(':');
  return (colon === -1 ? hostHeader : hostHeader.slice(0, colon)).toLowerCase();
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Finds the gateway key equal to `presented`, comparing in constant time. */
export function matchGatewayKey(keys: readonly GatewayKey[], presented: string): GatewayKey | undefined {
  const presentedDigest = digest(presented);
  let found: GatewayKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(digest(key.key.reveal()), presentedDigest)) found ??= key;
  }
  return found;
}

function bearerToken(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization !== 'string') return undefined;
  return authorization.toLowerCase().startsWith('bearer ')
    ? authorization.slice(7).trim()
    : authorization.trim();
}

/** Paths open without a gateway key (liveness probes). */
const PUBLIC_PATHS = new Set(['/health']);

/**
 * Who may call the gateway. An HTTP/1.1 request without `Host` is refused first (400). With gateway
 * keys: `x-portkey-api-key` (or `Authorization: Bearer <key>`) must match one, else 401. Without
 * keys: only loopback `Host` names and allowed `Origin`s, else 403, so a web page cannot reach
 * stored credentials through DNS rebinding.
 */
export const accessGuardPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: { settings: GatewaySettings }) => {
    const { gatewayKeys, allowedOrigins } = options.settings;
    const origins = new Set(allowedOrigins);
    app.decorateRequest('gatewayKey', null);
    app.decorateRequest('tenant', 'anonymous');
    app.decorateRequest('authorizationIsGatewayKey', false);
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
      const origin = request.headers.origin;
      if (typeof origin === 'string' && !origins.has(origin)) {
        return sendPkError(
          reply,
          request,
          'PK_ERR_FORBIDDEN',
          `requests from origin ${JSON.stringify(origin)} are not allowed`,
        );
      }
      if (gatewayKeys.length === 0) {
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
        key = matchGatewayKey(gatewayKeys, apiKeyHeader);
        const bearer = bearerToken(request);
        request.authorizationIsGatewayKey = bearer !== undefined && bearer === apiKeyHeader;
      } else {
        const bearer = bearerToken(request);
        key = bearer === undefined ? undefined : matchGatewayKey(gatewayKeys, bearer);
        request.authorizationIsGatewayKey = key !== undefined;
      }
      if (!key) {
        return sendPkError(
          reply,
          request,
          'PK_ERR_UNAUTHORIZED',
          'a valid gateway key is required in x-portkey-api-key (or Authorization: Bearer)',
          'x-portkey-api-key',
        );
      }
      request.gatewayKey = key;
      request.tenant = key.id;
      return undefined;
    });
  },
  { name: 'pk-access-guard', dependencies: ['pk-trace-id'] },
);
