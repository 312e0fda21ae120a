import { type GatewayKeyHashes, isGatewayKeySecret } from '../request-plan/gateway-key-secret.js';
import { gatewayKeyCredentialField, type StoredCredentials } from '../request-plan/stored-credentials.js';

/**
 * Why the settings file's virtual keys cannot be served, or undefined: one of them holds a gateway key of
 * this gateway (the settings file's or the store's, active, revoked or expired) in a credential field,
 * which would send it upstream on every call through that key (decision 0006). The message names the
 * virtual key and the field as the settings file spells them, never the value.
 */
export function settingsGatewayKeyProblem(
  virtualKeys: ReadonlyMap<string, StoredCredentials>,
  snapshot: GatewayKeyHashes,
): string | undefined {
  const problems: string[] = [];
  for (const [id, virtualKey] of virtualKeys) {
    const field = gatewayKeyCredentialField(virtualKey, (secret) => isGatewayKeySecret(snapshot, secret));
    if (field === undefined) continue;
    const path = field === 'api_key' ? `virtual_keys.${id}.api_key` : `virtual_keys.${id}.options.${field}`;
    problems.push(
      `${path}: holds a gateway key of this gateway, which is never sent to a provider; give the provider's own credential`,
    );
  }
  return problems.length > 0 ? problems.join('\n') : undefined;
}
