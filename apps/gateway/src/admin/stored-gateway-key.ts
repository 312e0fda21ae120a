import { camelToSnake, PkError } from '@pk/config';
import { type GatewayKeyHashes, isGatewayKeySecret } from '../request-plan/gateway-key-secret.js';
import { gatewayKeyCredentialField, type StoredCredentials } from '../request-plan/stored-credentials.js';
import type { AdminBody } from './portkey-body.js';

/** Portkey's names of the provider key and pk's own, as a body may spell it. */
const SECRET_FIELDS = ['key', 'api_key', 'apiKey'] as const;

/** The name a body gave an option (`awsSessionToken` or `aws_session_token`), else pk's. */
function spelled(fields: Readonly<Record<string, unknown>>, option: string): string {
  return Object.keys(fields).find((key) => key === option || camelToSnake(key) === option) ?? option;
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Where a virtual-key (or provider) body put a credential field, as the client spelled it: its key
 * (`key`, `api_key`, `apiKey`), `options.<name>`, or a top-level option.
 */
export function virtualKeyFieldName(body: AdminBody, field: string): string {
  if (field === 'api_key') return SECRET_FIELDS.find((name) => body[name] !== undefined) ?? 'key';
  if (isObject(body.options) && body.options[field] !== undefined) return `options.${field}`;
  return spelled(body, field);
}

/** Where an integration body put a credential field: its key, or `configurations.<name>`. */
export function integrationFieldName(body: AdminBody, field: string): string {
  if (field === 'api_key') return SECRET_FIELDS.find((name) => body[name] !== undefined) ?? 'key';
  return `configurations.${isObject(body.configurations) ? spelled(body.configurations, field) : field}`;
}

/**
 * Refuses to store a gateway key of this gateway (active, revoked or expired) as a virtual key's or
 * an integration's credential: every call through it would send the gateway key upstream, which a
 * request may never do (decision 0006). A 400 `PK_ERR_INVALID_REQUEST` naming the body's field,
 * never the value.
 */
export function refuseStoredGatewayKey(
  credentials: StoredCredentials,
  snapshot: GatewayKeyHashes,
  nameOf: (field: string) => string,
): void {
  const field = gatewayKeyCredentialField(credentials, (secret) => isGatewayKeySecret(snapshot, secret));
  if (field === undefined) return;
  const name = nameOf(field);
  throw new PkError(
    'PK_ERR_INVALID_REQUEST',
    `${name}: holds a gateway key of this gateway, which is never sent to a provider; give the provider's own credential`,
    { param: name },
  );
}
