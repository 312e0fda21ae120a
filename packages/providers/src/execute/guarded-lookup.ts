import { promises as dns } from 'node:dns';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import type { buildConnector } from 'undici';
import { isInternalAddress, isLoopbackAddress } from './internal-address.js';

/** One resolved address, as `dns.lookup(name, { all: true })` gives it. */
export interface ResolvedAddress {
  readonly address: string;
  /** 4 or 6. */
  readonly family: number;
}

/**
 * Resolves a host name to its addresses (default: `dns.promises.lookup(name, { all: true })`).
 * Injected in tests so that names like `llm.example.test` map to 127.0.0.1 without real DNS.
 */
export type ResolveHost = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/**
 * What a socket's `lookup` is asked (the fields of `dns.LookupOptions` the guard reads), declared here
 * so the package's public types need no `@types/node`: a consumer compiling with `node16` resolution
 * and no Node types could not find `node:dns` in them.
 */
export interface LookupRequest {
  /** 4, 6, `'IPv4'`, `'IPv6'`, or 0 / absent for either. */
  readonly family?: number | string | undefined;
  /** Every address (an array to the callback), not the first. */
  readonly all?: boolean | undefined;
}

/**
 * The spellings of loopback that may connect to a loopback address without being trusted
 * (behaviour reference §2.5): any other name or form that reaches 127/8 or ::1 is refused.
 */
const CANONICAL_LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '::1']);

/** Options of {@link createAddressGuard}. */
export interface AddressGuardOptions {
  /**
   * Hosts that may connect to any address, private ones included (`*.example.com` matches
   * sub-domains; IPv6 with or without brackets). The gateway passes the settings' trusted custom hosts.
   */
  readonly trustedHosts?: readonly string[];
  /** The resolver (default: the system's `dns.lookup`). */
  readonly resolve?: ResolveHost;
}

/** Thrown (through the socket) when a connection would reach an internal address from an untrusted host. */
export class CustomHostRefusedError extends Error {
  /** The pk error code the transport answers with. */
  readonly code = 'PK_ERR_INVALID_CUSTOM_HOST';
  /** The host name of the refused connection. */
  readonly hostname: string;

  constructor(hostname: string, address: string) {
    super(
      address === hostname
        ? `the host ${hostname} is an internal address; add it to trusted_custom_hosts to allow it`
        : `the host ${hostname} resolves to an internal address; add it to trusted_custom_hosts to allow it`,
    );
    this.name = 'CustomHostRefusedError';
    this.hostname = hostname;
  }
}

/** The checks every upstream connection goes through: on the literal host and on each resolved address. */
export interface AddressGuard {
  /** The refusal for a host connected to without a lookup (an IP literal), or `undefined`. */
  checkLiteral(hostname: string): CustomHostRefusedError | undefined;
  /** A `net.connect` `lookup` function that refuses internal addresses of untrusted names. */
  lookup(
    hostname: string,
    options: LookupRequest,
    callback: (error: Error | null, address: string | ResolvedAddress[], family?: number) => void,
  ): void;
}

const bare = (host: string): string =>
  host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');

function isTrusted(hostname: string, trusted: readonly string[]): boolean {
  return trusted.some((entry) => {
    const pattern = bare(entry);
    return pattern.startsWith('*.') ? hostname.endsWith(pattern.slice(1)) : hostname === pattern;
  });
}

/**
 * The SSRF guard of the transport. It runs inside the connection's own DNS lookup, so the address
 * checked is the address connected to: a name cannot resolve to a public address for a check and to a
 * private one for the connection. Internal addresses (§2.5) are refused unless the host is trusted;
 * loopback is allowed for `localhost`, `127.0.0.1` and `::1` only. A name that resolves to several
 * addresses is refused when any of them is internal.
 */
export function createAddressGuard(options: AddressGuardOptions = {}): AddressGuard {
  const trusted = options.trustedHosts ?? [];
  const resolve: ResolveHost =
    options.resolve ?? ((hostname) => dns.lookup(hostname, { all: true, verbatim: true }));

  function refusal(hostname: string, address: string): CustomHostRefusedError | undefined {
    if (!isInternalAddress(address)) return undefined;
    if (CANONICAL_LOOPBACK_HOSTS.has(hostname) && isLoopbackAddress(address)) return undefined;
    return new CustomHostRefusedError(hostname, address);
  }

  return {
    checkLiteral(hostname) {
      const host = bare(hostname);
      if (isIP(host) === 0 || isTrusted(host, trusted)) return undefined;
      return refusal(host, host);
    },
    lookup(hostname, lookupOptions, callback) {
      const host = bare(hostname);
      resolve(host).then(
        (found) => {
          const family =
            lookupOptions.family === 'IPv4' ? 4 : lookupOptions.family === 'IPv6' ? 6 : lookupOptions.family;
          const wanted =
            family === 4 || family === 6 ? found.filter((entry) => entry.family === family) : [...found];
          if (wanted.length === 0) {
            const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
            callback(error, '');
            return;
          }
          if (!isTrusted(host, trusted)) {
            for (const entry of wanted) {
              const refused = refusal(host, entry.address);
              if (refused) {
                callback(refused, '');
                return;
              }
            }
          }
          if (lookupOptions.all)
            callback(
              null,
              wanted.map((entry) => ({ ...entry })),
            );
          else callback(null, wanted[0]?.address ?? '', wanted[0]?.family);
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), ''),
      );
    },
  };
}

/** Options of {@link createGuardedConnector}. */
export interface GuardedConnectorOptions extends AddressGuardOptions {
  /** Milliseconds to establish a connection. */
  readonly timeoutMs: number;
  /** Extra trusted CA certificates (PEM) for upstream TLS, e.g. a company proxy's or a test's own. */
  readonly ca?: string | readonly string[];
}

/**
 * An undici `connect` function: IP literals are checked before connecting, names in the socket's
 * lookup (see {@link createAddressGuard}); everything else is undici's own connector.
 */
export function createGuardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  const guard = createAddressGuard(options);
  // undici is loaded when a transport is made (this runs then): not at import.
  const { buildConnector: build } = createRequire(import.meta.url)('undici') as typeof import('undici');
  const connect = build({
    timeout: options.timeoutMs,
    lookup: guard.lookup,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  } as buildConnector.BuildOptions);
  return (connectOptions, callback) => {
    const refused = guard.checkLiteral(connectOptions.hostname);
    if (refused) {
      callback(refused, null);
      return;
    }
    connect(connectOptions, callback);
  };
}

/** The {@link CustomHostRefusedError} behind a connection failure, if there is one. */
export function customHostRefusalOf(error: unknown): CustomHostRefusedError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (current instanceof CustomHostRefusedError) return current;
    current = (current as Error & { cause?: unknown }).cause;
  }
  return undefined;
}
