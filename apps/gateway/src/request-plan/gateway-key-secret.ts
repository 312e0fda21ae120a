import { type CatalogSnapshot, hashGatewayKeySecret } from '@pk/store';

/** The snapshot's gateway keys: active ones (settings file and data store) and retired ones' hashes. */
export type GatewayKeyHashes = Pick<CatalogSnapshot, 'gatewayKeysByHash' | 'retiredKeyHashes'>;

/**
 * True when `secret` is a gateway key of this gateway, active, revoked or expired: one SHA-256 and
 * two hash lookups, as the access guard finds keys (no hashing at all on a gateway without keys).
 */
export function isGatewayKeySecret(snapshot: GatewayKeyHashes, secret: string): boolean {
  if (snapshot.gatewayKeysByHash.size === 0 && snapshot.retiredKeyHashes.size === 0) return false;
  const hash = hashGatewayKeySecret(secret);
  return snapshot.gatewayKeysByHash.has(hash) || snapshot.retiredKeyHashes.has(hash);
}
