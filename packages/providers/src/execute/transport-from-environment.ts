import {
  createUndiciTransport,
  type ProxySettings,
  type UndiciTransportOptions,
} from './undici-transport.js';

/**
 * The one place the library reads the environment: an undici transport whose proxy comes from
 * `HTTPS_PROXY`/`https_proxy`, `HTTP_PROXY`/`http_proxy` and `NO_PROXY`/`no_proxy` (upper case first,
 * an empty one unset). Pass `env` to test it.
 */
export function createUndiciTransportFromEnvironment(
  options: Omit<UndiciTransportOptions, 'proxy'> = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
) {
  return createUndiciTransport({ ...options, proxy: proxySettingsFromEnvironment(env) });
}

/**
 * The proxy settings of the environment as the transport reads them: `HTTPS_PROXY`/`https_proxy`,
 * `HTTP_PROXY`/`http_proxy` and `NO_PROXY`/`no_proxy`, upper case first, an empty one unset. Any
 * other connection to a provider (the gateway's Realtime socket) reads them here too, so both agree.
 */
export function proxySettingsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): ProxySettings {
  return {
    httpsProxy: firstSet(env.HTTPS_PROXY, env.https_proxy),
    httpProxy: firstSet(env.HTTP_PROXY, env.http_proxy),
    noProxy: firstSet(env.NO_PROXY, env.no_proxy),
  };
}

/**
 * The first value set and not empty: an empty variable is unset (docker compose writes `FOO=` for a
 * variable it was given no value for), so an empty `HTTPS_PROXY` does not hide `https_proxy`.
 */
function firstSet(upper: string | undefined, lower: string | undefined): string | undefined {
  return upper || lower || undefined;
}
