import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { StartupError } from './server-options.js';

/**
 * Resolves a listen address given as a host name (`HOST`, `PK_METRICS_HOST`) at start, before
 * anything is written: a name that does not resolve was refused only by `listen`, with a raw
 * `getaddrinfo ENOTFOUND` and after the data directory was created. IP addresses need no lookup.
 */
export async function checkListenHostResolves(name: string, host: string): Promise<void> {
  if (isIP(host) !== 0) return;
  try {
    await lookup(host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new StartupError(
      `${name} must be an IP address or a host name this machine resolves; ${JSON.stringify(host)} does not resolve (${code})`,
    );
  }
}
