import { createUndiciTransport, type UndiciTransportOptions } from './undici-transport.js';

/**
 * The one place the library reads the environment: an undici transport whose proxy comes from
 * `HTTPS_PROXY`/`https_proxy`, `HTTP_PROXY`/`http_proxy` and `NO_PROXY`/`no_proxy`. Pass `env` to test it.
 */
export function createUndiciTransportFromEnvironment(
  options: Omit<UndiciTransportOptions, 'proxy'> = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
) {
  return createUndiciTransport({
    ...options,
    proxy: {
      httpsProxy: env.HTTPS_PROXY ?? env.https_proxy,
      httpProxy: env.HTTP_PROXY ?? env.http_proxy,
      noProxy: env.NO_PROXY ?? env.no_proxy,
    },
  });
}
