import { createServer } from 'node:net';
import { StartupError } from './server-options.js';

/** The variables that chose a listening socket: the gateway's (`PORT`, `HOST`) or the metrics port's. */
export interface ListenVariables {
  readonly port: 'PORT' | 'PK_METRICS_PORT';
  readonly host: 'HOST' | 'PK_METRICS_HOST';
}

/**
 * A failed `listen` as a refused start naming the variable to change: the raw
 * `listen EADDRINUSE: address already in use 127.0.0.1:8787` said neither which of the gateway's
 * two ports it was nor what to do.
 */
export function listenRefusal(
  variables: ListenVariables,
  address: { readonly host: string; readonly port: number },
  error: unknown,
): StartupError {
  const code = (error as NodeJS.ErrnoException).code;
  const { host, port } = address;
  switch (code) {
    case 'EADDRINUSE':
      return new StartupError(
        `${variables.port} ${port} is already in use on ${host} (another pk gateway or another program listens there): stop it, or set ${variables.port} to a free port`,
      );
    case 'EACCES':
      return new StartupError(
        `${variables.port} ${port} on ${host} is not open to this user (ports below 1024 need privileges): set ${variables.port} to 1024 or above`,
      );
    case 'EADDRNOTAVAIL':
      return new StartupError(
        `${variables.host} ${host} is not an address of this machine: set ${variables.host} to one of its addresses (0.0.0.0 for all of them, 127.0.0.1 for this machine only)`,
      );
    default:
      return new StartupError(
        `cannot listen on ${host} port ${port} (${variables.host}, ${variables.port}): ${(error as Error).message ?? code}`,
      );
  }
}

/**
 * Listens on `address` for a moment and closes again, before the store is opened: a port in use, a
 * port below 1024 without privileges or an address not of this machine is refused (as
 * {@link listenRefusal} says it) before the first start created a data directory, `pk.db` and a
 * master key nobody asked for. Port 0 (any free port) cannot be taken: not tried. Another program
 * may still take the port between this and the real `listen`, which then refuses as before.
 */
export async function checkListenAddressFree(
  variables: ListenVariables,
  address: { readonly host: string; readonly port: number },
): Promise<void> {
  if (address.port === 0) return;
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen({ host: address.host, port: address.port, exclusive: true }, resolve);
    });
  } catch (error) {
    throw listenRefusal(variables, address, error);
  }
  await new Promise((resolve) => probe.close(resolve));
}
