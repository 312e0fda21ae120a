import { PkError } from '@pk/config';

/**
 * The 400 for a dialect feature that has no chat completions equivalent on a translated provider
 * (`PK_ERR_UNSUPPORTED_FEATURE`): says what, for which provider, where it is in the request and, given
 * a `remedy`, what to send instead.
 */
export function unsupportedFeature(
  feature: string,
  provider: string,
  param: string,
  remedy?: string,
): PkError {
  return new PkError(
    'PK_ERR_UNSUPPORTED_FEATURE',
    `${feature} cannot be translated for provider '${provider}' (it does not speak this API natively)${remedy === undefined ? '' : `: ${remedy}`}`,
    { param },
  );
}

/** The 400 for a body that does not match the dialect's schema, naming the first bad field. */
export function invalidDialectRequest(
  api: string,
  issue: { path: PropertyKey[]; message: string } | undefined,
) {
  const path = issue?.path.map(String).join('.') ?? '';
  return new PkError(
    'PK_ERR_INVALID_REQUEST',
    `invalid ${api} request${path === '' ? '' : ` at '${path}'`}: ${issue?.message ?? 'invalid'}`,
    { param: path || null },
  );
}
