import { buildRequestHeaders, type RequestHeaderOptions } from '@pk/headers';
import { PACKAGE_VERSION_HEADER_VALUE, runtimeInfo } from './runtime-info.js';
import { validateConfigOption } from './validate-config.js';

const AUTHORIZATION = 'authorization';
const API_KEY_HEADER = 'x-portkey-api-key';

/**
 * The headers of a client's options: what the official SDK sends on every request. Adds pk's
 * defaults: `strictOpenAiCompliance: false` when not given, and the package and runtime headers.
 *
 * @throws PkError `PK_ERR_INVALID_CONFIG` for an invalid config object, `PK_ERR_INVALID_HEADER`
 *   (naming the header) for a value a header cannot carry.
 */
export function buildClientHeaders(options: Readonly<Record<string, unknown>>): Record<string, string> {
  validateConfigOption(options.config);
  const { runtime, runtimeVersion } = runtimeInfo();
  return buildRequestHeaders({
    ...(options as RequestHeaderOptions),
    strictOpenAiCompliance: (options.strictOpenAiCompliance as boolean | null | undefined) ?? false,
    packageVersion: PACKAGE_VERSION_HEADER_VALUE,
    runtime,
    runtimeVersion,
  });
}

/** The headers of one call's Portkey options (no defaults: they fill in over the client's). */
export function buildCallHeaders(options: Readonly<Record<string, unknown>>): Record<string, string> {
  validateConfigOption(options.config);
  return buildRequestHeaders(options as RequestHeaderOptions);
}

/**
 * Which key goes in `Authorization`, decided on the final headers of a request:
 * 1. the `Authorization` option, as given: the provider's key in provider + Authorization mode;
 * 2. otherwise `Bearer <Portkey key>` (what the official SDK's openai-wrapped calls send); the
 *    gateway recognises its own key and never forwards it to a provider;
 * 3. otherwise nothing (`null`). `OPENAI_API_KEY` from the environment is never read, so it cannot
 *    leak into a virtual-key or config request.
 */
export function authorizationOf(headers: Readonly<Record<string, string>>): string | null {
  const explicit = headers[AUTHORIZATION];
  if (explicit !== undefined) return explicit;
  const portkeyKey = headers[API_KEY_HEADER];
  return portkeyKey === undefined ? null : `Bearer ${portkeyKey}`;
}
