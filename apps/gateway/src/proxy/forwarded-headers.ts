import { type GatewaySecretTest, SDK_PLACEHOLDER_KEY, stripBearer } from '@pk/headers';
import type { FastifyRequest } from 'fastify';
import { type GatewayKeyHashes, isGatewayKeySecret } from '../request-plan/gateway-key-secret.js';

/**
 * What counts as a gateway secret for one request: the SDK's `DUMMY-KEY`, the `x-portkey-api-key`
 * the request carried, and any gateway key of this gateway, active or retired (looked up by hash,
 * as the access guard does).
 */
export function gatewaySecretTestOf(
  snapshot: GatewayKeyHashes,
  clientHeaders: FastifyRequest['headers'],
): GatewaySecretTest {
  const presented = clientHeaders['x-portkey-api-key'];
  return (secret) =>
    secret === SDK_PLACEHOLDER_KEY || secret === presented || isGatewayKeySecret(snapshot, secret);
}

/**
 * The client headers a leaf's `forward_headers` names, by the names it gives. A header whose value,
 * with or without `Bearer `, is a gateway secret is left out, whatever its name (`authorization`,
 * `x-api-key`, `api-key`, `x-goog-api-key`, a custom one): a gateway key never reaches a provider.
 */
export function forwardedHeadersOf(
  names: readonly string[],
  clientHeaders: FastifyRequest['headers'],
  isGatewaySecret: GatewaySecretTest,
): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const name of names) {
    const raw = clientHeaders[name.toLowerCase()];
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (typeof value !== 'string') continue;
    if (carriesGatewaySecret(value, isGatewaySecret)) continue;
    forwarded[name] = value;
  }
  return forwarded;
}

/** True when the value, or any comma-joined part of it, is a gateway secret (`Bearer ` stripped). */
function carriesGatewaySecret(value: string, isGatewaySecret: GatewaySecretTest): boolean {
  return [value, ...value.split(',')].some((part) => {
    const secret = stripBearer(part.trim()).trim();
    return secret !== '' && isGatewaySecret(secret);
  });
}
