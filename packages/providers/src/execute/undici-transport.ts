import { setMaxListeners } from 'node:events';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Dispatcher } from 'undici';
import { headersWith } from '../shared/header-record.js';
import { UpstreamError } from '../spec/upstream-error.js';
import type { UpstreamRequest, UpstreamResponse } from '../spec/upstream-request.js';
import { upstreamErrorFromAbort, upstreamUnavailableError } from './abort-reason.js';
import { createGuardedConnector, customHostRefusalOf, type ResolveHost } from './guarded-lookup.js';
import {
  createProxyTunnelFactory,
  ProxyTunnelError,
  proxyDisplayName,
  settleOnAbort,
} from './proxy-tunnel-guard.js';
import type { SendOptions, Transport } from './transport.js';

/** Proxy settings, passed in (never read from `process.env` here). */
export interface ProxySettings {
  /** Proxy for `https:` upstreams (`HTTPS_PROXY`). */
  readonly httpsProxy?: string | undefined;
  /** Proxy for `http:` upstreams (`HTTP_PROXY`). */
  readonly httpProxy?: string | undefined;
  /** Comma-separated hosts that bypass the proxy (`NO_PROXY`). */
  readonly noProxy?: string | undefined;
}

/** Options of {@link createUndiciTransport}. */
export interface UndiciTransportOptions {
  /**
   * Milliseconds to wait for response headers; 0 disables undici's own limit (default 0: the engine's
   * per-attempt signal bounds the wait; undici's 300 s default would cut long reasoning calls).
   */
  readonly headersTimeoutMs?: number;
  /** Milliseconds allowed between two body chunks; 0 disables (default 0, same reason). */
  readonly bodyTimeoutMs?: number;
  /**
   * Milliseconds to establish a connection (default 10 000); through a proxy, to open the tunnel
   * (TCP to the proxy, its answer to CONNECT, TLS to the provider).
   */
  readonly connectTimeoutMs?: number;
  /** Idle keep-alive socket lifetime in ms (default 60 000). */
  readonly keepAliveTimeoutMs?: number;
  /** Maximum sockets per origin (default unlimited). */
  readonly connectionsPerOrigin?: number;
  /**
   * What `accept-encoding` upstreams get: `identity` (default: no compression, lowest latency for
   * streams) or `compressed` (`gzip, deflate, br`, decompressed here). The client's own header is
   * never forwarded.
   */
  readonly acceptEncoding?: 'identity' | 'compressed';
  /** Proxy settings; without them no proxy is used. */
  readonly proxy?: ProxySettings;
  /**
   * Hosts allowed to connect to internal addresses (private, link-local, metadata, loopback …), as
   * the settings' `trusted_custom_hosts`; `*.example.com` matches sub-domains. Everything else may
   * reach public addresses only, checked on the address actually connected to; loopback is allowed for
   * `localhost`, `127.0.0.1` and `::1`. (Through a proxy the proxy resolves names, so only direct
   * connections are checked there.)
   */
  readonly trustedHosts?: readonly string[];
  /** Name resolution for direct connections (default: the system's `dns.lookup`); tests inject one. */
  readonly lookup?: ResolveHost;
  /** Extra trusted CA certificates (PEM) for upstream TLS (a private CA, or a test's own). */
  readonly ca?: string | readonly string[];
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function decode(body: Readable, contentEncoding: string | undefined): Readable {
  switch (contentEncoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return body.pipe(createGunzip());
    case 'br':
      return body.pipe(createBrotliDecompress());
    case 'deflate':
      return body.pipe(createInflate());
    default:
      return body;
  }
}

function ignoreError(): void {}

/** A connection refused by the SSRF guard: a 400 the client must fix, never retried. */
function customHostRefusedError(provider: string, cause: Error): UpstreamError {
  return new UpstreamError({
    provider,
    status: 400,
    message: cause.message,
    type: 'invalid_request_error',
    code: 'PK_ERR_INVALID_CUSTOM_HOST',
    param: 'custom_host',
    retryable: false,
    cause,
  });
}

// undici (CommonJS) is required by a transport's `prepare()` or first upstream call, synchronously and
// once: a program that imports this package, or makes a transport it does not use, does not hold it.
const requireModule = createRequire(import.meta.url);
let undiciModule: typeof import('undici') | undefined;
function undici(): typeof import('undici') {
  undiciModule ??= requireModule('undici') as typeof import('undici');
  return undiciModule;
}

/** Distinct upstream URLs whose origin and path a transport keeps (oldest forgotten first). */
const MAX_SPLIT_URLS = 256;

/**
 * An upstream URL as undici's dispatchers take it (origin, and path with its query), parsed once per
 * distinct URL: a provider's URL is the same string request after request, and undici's top-level
 * `request(url)` parsed it again every time (the largest of undici's own items in the profile).
 */
function splitUrlOf(
  url: string,
  known: Map<string, { origin: string; path: string }>,
): { origin: string; path: string } {
  let split = known.get(url);
  if (split === undefined) {
    const parsed = new URL(url);
    split = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    if (known.size >= MAX_SPLIT_URLS) known.delete(known.keys().next().value as string);
    known.set(url, split);
  }
  return split;
}

/** Whether the settings name a proxy. */
function usesProxy(proxy: ProxySettings | undefined): proxy is ProxySettings {
  return proxy !== undefined && Boolean(proxy.httpsProxy || proxy.httpProxy);
}

/**
 * The proxy (display name) undici's `EnvHttpProxyAgent` sends an origin through: `https:` origins
 * through `httpsProxy`, else `httpProxy`; `http:` origins through `httpProxy` only.
 */
function proxyOf(proxy: ProxySettings): (origin: string) => string {
  return (origin) => {
    const url =
      origin.startsWith('https:') && proxy.httpsProxy
        ? proxy.httpsProxy
        : proxy.httpProxy || proxy.httpsProxy;
    return url ? proxyDisplayName(url) : 'proxy';
  };
}

/**
 * The keep-alive dispatcher of a transport (built by `prepare()` or its first call). `closing` aborts
 * when the transport closes (tunnels still opening through a proxy fail at once).
 */
function createDispatcher(options: UndiciTransportOptions, closing: AbortSignal): Dispatcher {
  const { Agent, Client, EnvHttpProxyAgent, Pool } = undici();
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  // SSRF guard: internal addresses are refused in the connection's own lookup (guarded-lookup.ts).
  const connect = createGuardedConnector({
    timeoutMs,
    ...(options.trustedHosts === undefined ? {} : { trustedHosts: options.trustedHosts }),
    ...(options.lookup === undefined ? {} : { resolve: options.lookup }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  });
  const agentOptions = {
    headersTimeout: options.headersTimeoutMs ?? 0,
    bodyTimeout: options.bodyTimeoutMs ?? 0,
    connect,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 60_000,
    ...(options.connectionsPerOrigin === undefined ? {} : { connections: options.connectionsPerOrigin }),
  };
  const proxy = options.proxy;
  if (!usesProxy(proxy)) return new Agent(agentOptions);
  return new EnvHttpProxyAgent({
    ...agentOptions,
    // Tunnels are bounded and fail without undici 7's reconnect loop (proxy-tunnel-guard.ts).
    factory: createProxyTunnelFactory({
      direct: connect,
      timeoutMs,
      closing,
      proxyFor: proxyOf(proxy),
      undici: { Client, Pool },
    }),
    // Empty strings, not undefined: undici would otherwise fall back to process.env.
    httpProxy: proxy.httpProxy ?? '',
    httpsProxy: proxy.httpsProxy ?? '',
    noProxy: proxy.noProxy ?? '',
  });
}

/** A failed tunnel through the proxy: a retryable 502 naming the proxy (without its credentials). */
function proxyUnavailableError(provider: string, cause: ProxyTunnelError): UpstreamError {
  return new UpstreamError({
    provider,
    status: 502,
    message: `the provider could not be reached through the proxy ${cause.proxy} (${cause.reason})`,
    type: 'api_error',
    code: 'PK_ERR_UPSTREAM_UNAVAILABLE',
    retryable: true,
    connectionError: true,
    cause,
  });
}

/**
 * The production {@link Transport}: undici `request` over one keep-alive dispatcher (a pool per
 * origin), redirects never followed, internal addresses refused unless trusted, explicit timeouts,
 * controlled `accept-encoding`, optional proxy. A proxy that is not a URL throws here (the gateway stops
 * at start). The dispatcher, and undici, come with `prepare()` or the first call.
 */
export function createUndiciTransport(options: UndiciTransportOptions = {}): Transport {
  checkProxyUrls(options.proxy);
  const proxied = usesProxy(options.proxy);
  const closing = new AbortController();
  // Every tunnel being opened through a proxy listens to this one signal until it settles: more than
  // Node's default of 10 at once is a burst, not a leak (it printed "MaxListenersExceededWarning").
  setMaxListeners(0, closing.signal);
  let dispatcher: Dispatcher | undefined;
  const splitUrls = new Map<string, { origin: string; path: string }>();
  const acceptEncoding = options.acceptEncoding === 'compressed' ? 'gzip, deflate, br' : 'identity';

  async function send(upstream: UpstreamRequest, sendOptions: SendOptions): Promise<UpstreamResponse> {
    const { signal, provider } = sendOptions;
    if (signal?.aborted) throw upstreamErrorFromAbort(provider, signal.reason);
    dispatcher ??= createDispatcher(options, closing.signal);
    try {
      const { origin, path } = splitUrlOf(upstream.url, splitUrls);
      // undici listens to the signal itself (until the body ends) and destroys the body on abort.
      const request = dispatcher.request({
        origin,
        path,
        method: upstream.method as Dispatcher.HttpMethod,
        headers: headersWith(upstream.headers, 'accept-encoding', acceptEncoding),
        body: upstream.body ?? null,
        signal,
      });
      // …except while it waits for a tunnel through a proxy: then the signal settles the call here.
      const response = await (proxied ? settleOnAbort(request, signal) : request);
      const headers = flattenHeaders(response.headers);
      const decoded = decode(response.body, headers['content-encoding']);
      if (decoded !== response.body) {
        delete headers['content-encoding'];
        delete headers['content-length'];
        response.body.on('error', (error) => decoded.destroy(error));
        decoded.on('close', () => response.body.destroy());
      }
      // Errors reach whoever reads the body; this keeps a late abort (`discardBody`) from going unhandled.
      decoded.on('error', ignoreError);
      // The Node stream itself: iterated by the stream pipeline, read whole with `text()`, or piped.
      return { status: response.statusCode, headers, body: decoded };
    } catch (error) {
      if (signal?.aborted) throw upstreamErrorFromAbort(provider, signal.reason);
      const refused = customHostRefusalOf(error);
      if (refused) throw customHostRefusedError(provider, refused);
      if (error instanceof ProxyTunnelError) throw proxyUnavailableError(provider, error);
      throw upstreamUnavailableError(provider, error);
    }
  }

  return {
    send,
    prepare() {
      dispatcher ??= createDispatcher(options, closing.signal);
    },
    close: async () => {
      closing.abort();
      await dispatcher?.close();
    },
  };
}

/** Refuses proxy settings that are not URLs (without echoing them: a proxy URL may hold a password). */
function checkProxyUrls(proxy: ProxySettings | undefined): void {
  for (const [name, value] of [
    ['httpsProxy', proxy?.httpsProxy],
    ['httpProxy', proxy?.httpProxy],
  ] as const) {
    if (!value) continue;
    try {
      new URL(value);
    } catch {
      throw new TypeError(`proxy: ${name} is not a URL (HTTPS_PROXY / HTTP_PROXY)`);
    }
  }
}
