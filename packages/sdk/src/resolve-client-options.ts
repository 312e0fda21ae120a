import type { ClientOptions } from 'openai';
import { NO_KEY_PLACEHOLDER, PORTKEY_GATEWAY_URL } from './constants.js';
import { readPortkeyEnvironment } from './environment.js';
import { buildClientHeaders } from './portkey-headers.js';
import type { PortkeyClientOptions } from './portkey-options.js';
import { splitClientOptions } from './split-options.js';

/** A client's options, resolved once at construction. */
export interface ResolvedClientOptions {
  /** The options as given, with `apiKey` and `baseURL` resolved (what `withOptions` starts from). */
  readonly options: PortkeyClientOptions;
  /** The Portkey headers of every request of this client. */
  readonly headers: Readonly<Record<string, string>>;
  /** What the openai constructor receives: its own options only, none read from `OPENAI_*`. */
  readonly openai: ClientOptions;
}

/**
 * Resolves constructor options: the environment (`PORTKEY_API_KEY`, `PORTKEY_BASE_URL`) when not
 * given, the headers (validated now, so a bad config or header value fails at construction), and
 * the openai client's options. openai's own environment defaults (`OPENAI_BASE_URL`,
 * `OPENAI_ORG_ID`, `OPENAI_PROJECT_ID`, `OPENAI_ADMIN_KEY`) are overridden, so they never reach
 * the gateway.
 */
export function resolveClientOptions(input: PortkeyClientOptions): ResolvedClientOptions {
  const environment = readPortkeyEnvironment();
  const apiKey = input.apiKey === undefined ? environment.PORTKEY_API_KEY : input.apiKey;
  const baseURL = input.baseURL ?? environment.PORTKEY_BASE_URL ?? PORTKEY_GATEWAY_URL;
  const options: PortkeyClientOptions = { ...input, apiKey, baseURL };
  const split = splitClientOptions(options as Readonly<Record<string, unknown>>);
  const headers = buildClientHeaders(split.portkey);
  const given = split.openai as ClientOptions;
  const browser = input.dangerouslyAllowBrowser;
  const openai: ClientOptions = {
    ...given,
    apiKey: headers['x-portkey-api-key'] ?? NO_KEY_PLACEHOLDER,
    baseURL,
    organization: given.organization ?? null,
    project: given.project ?? null,
    adminAPIKey: given.adminAPIKey ?? null,
    webhookSecret: given.webhookSecret ?? null,
    ...(browser === true || browser === 'true' ? { dangerouslyAllowBrowser: true } : {}),
  };
  return { options, headers, openai };
}
