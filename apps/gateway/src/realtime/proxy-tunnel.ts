import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { proxySettingsFromEnvironment } from '@pk/providers';

/**
 * The proxies of the provider's Realtime socket: `HTTPS_PROXY` for `wss://` (else `HTTP_PROXY`),
 * `HTTP_PROXY` for `ws://`, `NO_PROXY` naming hosts reached directly, read as the HTTP transport
 * reads them (`createUndiciTransportFromEnvironment`, undici's `EnvHttpProxyAgent`).
 */
export interface RealtimeProxy {
  readonly httpsProxy?: string | undefined;
  readonly httpProxy?: string | undefined;
  readonly noProxy?: string | undefined;
}

/**
 * The proxy settings of the environment, read by the HTTP transport's own reader (upper case first,
 * an empty variable unset), or undefined without a proxy.
 */
export function realtimeProxyOf(
  env: Readonly<Record<string, string | undefined>>,
): RealtimeProxy | undefined {
  const { httpsProxy, httpProxy, noProxy } = proxySettingsFromEnvironment(env);
  if (!httpsProxy && !httpProxy) return undefined;
  return { httpsProxy, httpProxy, noProxy };
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  'ws:': 80,
  'wss:': 443,
  'http:': 80,
  'https:': 443,
};

/** Whether `NO_PROXY` names the host (itself or a parent domain, `*` all, `host:port` that port only). */
function bypassesProxy(noProxy: string | undefined, hostname: string, port: number): boolean {
  const value = (noProxy ?? '').trim();
  if (value === '') return false;
  if (value === '*') return true;
  for (const entry of value.split(/[,\s]/)) {
    if (entry === '') continue;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const host = (parsed ? (parsed[1] as string) : entry).replace(/^\*?\./, '').toLowerCase();
    const entryPort = parsed ? Number.parseInt(parsed[2] as string, 10) : 0;
    if (entryPort !== 0 && entryPort !== port) continue;
    if (hostname === host || hostname.endsWith(`.${host}`)) return true;
  }
  return false;
}

/** The proxy a provider's socket at `target` goes through, or undefined (direct). */
export function proxyUrlFor(target: URL, proxy: RealtimeProxy | undefined): URL | undefined {
  if (proxy === undefined) return undefined;
  const secure = target.protocol === 'wss:' || target.protocol === 'https:';
  const chosen = secure ? proxy.httpsProxy || proxy.httpProxy : proxy.httpProxy;
  if (!chosen) return undefined;
  // The host as undici compares it: IPv6 in brackets, lower case, without the port.
  const hostname = target.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number.parseInt(target.port, 10) || DEFAULT_PORTS[target.protocol] || 0;
  if (bypassesProxy(proxy.noProxy, hostname, port)) return undefined;
  return new URL(chosen);
}

/** A proxy as a message may name it: scheme, host and port, never its user name or password. */
export function proxyName(proxyUrl: URL): string {
  return `${proxyUrl.protocol}//${proxyUrl.host}`;
}

/** What `ws` gives a `createConnection` (http.request's options, with the host to reach). */
interface ConnectionOptions {
  readonly host?: string | null | undefined;
  readonly port?: number | string | null | undefined;
  readonly servername?: string | undefined;
}

type OnCreate = (error: Error | null, socket?: Socket) => void;

/**
 * A `createConnection` for `ws` that reaches the provider through an HTTP `CONNECT` tunnel of the
 * proxy (its `user:password` sent as `Proxy-Authorization: Basic`), then TLS to the provider for
 * `wss://`, as undici's proxy agent does for the HTTP calls. A tunnel not open within `timeoutMs` or
 * refused by the proxy fails the handshake with an error naming the proxy without its credentials.
 * The proxy resolves the provider's name: only direct connections go through the address guard.
 */
export function tunnelThrough(
  proxyUrl: URL,
  secure: boolean,
  timeoutMs: number,
): (options: ConnectionOptions, onCreate: OnCreate) => undefined {
  return (options, onCreate) => {
    const host = String(options.host ?? '');
    const port = Number(options.port) || (secure ? 443 : 80);
    const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
    const headers: Record<string, string> = { host: authority };
    if (proxyUrl.username !== '') {
      const credentials = `${decodeURIComponent(proxyUrl.username)}:${decodeURIComponent(proxyUrl.password)}`;
      headers['proxy-authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    const connect = (proxyUrl.protocol === 'https:' ? httpsRequest : httpRequest)({
      host: proxyUrl.hostname.replace(/^\[|\]$/g, ''),
      port: Number(proxyUrl.port) || (proxyUrl.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: authority,
      headers,
      agent: false,
    });
    let settled = false;
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      connect.destroy();
      onCreate(new Error(`no tunnel through the proxy ${proxyName(proxyUrl)} (${reason})`));
    };
    connect.setTimeout(timeoutMs, () => fail('timeout'));
    connect.once('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
    connect.once('response', (response: IncomingMessage) => fail(`HTTP ${response.statusCode}`));
    connect.once('connect', (response: IncomingMessage, socket: Socket, head: Buffer) => {
      if (settled) {
        socket.destroy();
        return;
      }
      if (response.statusCode !== 200) {
        socket.destroy();
        fail(`HTTP ${response.statusCode}`);
        return;
      }
      settled = true;
      connect.setTimeout(0);
      if (head.length > 0) socket.unshift(head);
      if (!secure) {
        onCreate(null, socket);
        return;
      }
      const servername = options.servername ?? (isIP(host) ? '' : host);
      onCreate(null, tlsConnect({ socket, ...(servername === '' ? {} : { servername }) }));
    });
    connect.end();
    return undefined;
  };
}
