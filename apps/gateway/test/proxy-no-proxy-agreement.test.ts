import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createUndiciTransportFromEnvironment } from '@pk/providers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openProviderSocket } from '../src/realtime/provider-socket.js';
import { realtimeProxyOf } from '../src/realtime/proxy-tunnel.js';

// The HTTP calls to providers (undici's EnvHttpProxyAgent in @pk/providers) and the Realtime
// provider socket (`ws`, realtime/proxy-tunnel.ts) must send the same hosts through the proxy for the
// same environment. Each case gives both the same variables and calls the same host, then asks a
// recording proxy on 127.0.0.1 (which refuses every tunnel with 403) whether a CONNECT for it came.
// A host reached directly fails at once (its name never resolves here, a loopback port is closed).

const tunnels: string[] = [];
let proxy: Server;
let proxyUrl = '';

beforeAll(async () => {
  proxy = createServer((_request, response) => response.writeHead(405).end());
  proxy.on('connect', (request: IncomingMessage, socket: Duplex) => {
    tunnels.push(request.url ?? '');
    socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
});

beforeEach(() => {
  tunnels.length = 0;
});

/** A name lookup that never resolves anything: a direct connection fails at once. */
const noLookup = (async () => {
  throw Object.assign(new Error('no name resolves in this test'), { code: 'ENOTFOUND' });
}) as never;
const noSocketLookup = ((_host: string, _options: unknown, callback: (error: Error) => void) =>
  callback(Object.assign(new Error('no name resolves in this test'), { code: 'ENOTFOUND' }))) as never;

/** The authority a CONNECT names for a URL: its host and port, the port given or its scheme's. */
function authorityOf(url: URL): string {
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  return `${url.hostname}:${url.port || (secure ? 443 : 80)}`;
}

/** Whether an HTTP call of the provider transport to `target` went through the proxy. */
async function httpProxied(env: Record<string, string>, target: URL): Promise<boolean> {
  tunnels.length = 0;
  const transport = createUndiciTransportFromEnvironment({ lookup: noLookup, connectTimeoutMs: 2000 }, env);
  try {
    await transport.send(
      { url: target.href, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
      { provider: 'openai', signal: AbortSignal.timeout(3000) },
    );
  } catch {
    // Refused by the proxy, or not reachable directly: either way the proxy's log says which.
  } finally {
    await transport.close();
  }
  return tunnels.includes(authorityOf(target));
}

/** Whether the Realtime provider socket to `target` (as `ws(s)://`) went through the proxy. */
async function socketProxied(env: Record<string, string>, target: URL): Promise<boolean> {
  tunnels.length = 0;
  const url = new URL(target.href.replace(/^http/, 'ws'));
  const outcome = await openProviderSocket(
    { provider: 'openai', url, headers: {}, model: 'gpt-realtime' },
    noSocketLookup,
    realtimeProxyOf(env),
    AbortSignal.timeout(3000),
  ).catch((error: unknown) => error);
  // Never open here (the proxy refuses, a direct host does not resolve): closed if it ever were.
  if (typeof outcome === 'object' && outcome !== null && 'value' in outcome) {
    (outcome.value as { terminate?: () => void }).terminate?.();
  }
  return tunnels.includes(authorityOf(url));
}

/** The host, the NO_PROXY value and whether the proxy is used: as undici reads NO_PROXY. */
const CASES: readonly (readonly [string, string, string, boolean])[] = [
  ['no NO_PROXY', 'https://api.example.test/v1/x', '', true],
  ['the host itself', 'https://api.example.test/v1/x', 'api.example.test', false],
  ['a parent domain covers its sub-domains', 'https://api.example.test/v1/x', 'example.test', false],
  ['a leading dot', 'https://api.example.test/v1/x', '.example.test', false],
  ['a leading dot covers the domain itself', 'https://example.test/v1/x', '.example.test', false],
  ['a leading *.', 'https://api.example.test/v1/x', '*.example.test', false],
  ['a * glued to a name is no wildcard', 'https://api.badexample.test/v1/x', '*example.test', true],
  ['a suffix that is not a domain', 'https://api.notexample.test/v1/x', 'example.test', true],
  ['a name is matched without case', 'https://api.example.test/v1/x', 'API.Example.TEST', false],
  ['the wildcard *', 'https://api.example.test/v1/x', '*', false],
  ['a * among other entries', 'https://api.example.test/v1/x', 'other.test,*', true],
  ['an entry with the host’s port', 'https://api.example.test:8443/v1/x', 'api.example.test:8443', false],
  ['an entry with another port', 'https://api.example.test/v1/x', 'api.example.test:8443', true],
  ['an entry with the default port', 'https://api.example.test/v1/x', 'api.example.test:443', false],
  [
    'entries split by spaces and commas',
    'https://api.example.test/v1/x',
    'a.test  b.test,example.test',
    false,
  ],
  ['an IPv4 address', 'https://127.0.0.2:9/v1/x', '127.0.0.2', false],
  ['an IPv4 range (CIDR) is not read as a range', 'https://127.0.0.2:9/v1/x', '127.0.0.0/8', true],
  ['an IPv6 address in brackets', 'https://[::1]:9/v1/x', '[::1]', false],
  ['an IPv6 address without brackets is not matched', 'https://[::1]:9/v1/x', '::1', true],
];

describe('NO_PROXY: the HTTP calls and the Realtime socket agree', () => {
  it.each(CASES)('%s (%s, NO_PROXY=%j)', async (_case, target, noProxy, proxied) => {
    const env = { HTTPS_PROXY: proxyUrl, NO_PROXY: noProxy };
    const url = new URL(target);
    expect({ http: await httpProxied(env, url), realtime: await socketProxied(env, url) }).toEqual({
      http: proxied,
      realtime: proxied,
    });
  });

  it.each([
    ['lower-case variables', { https_proxy: 'PROXY', no_proxy: 'other.test' }, true],
    [
      'an empty upper-case variable does not hide the lower-case one',
      { HTTPS_PROXY: '', https_proxy: 'PROXY' },
      true,
    ],
    [
      'upper case first',
      { NO_PROXY: 'api.example.test', no_proxy: 'other.test', HTTPS_PROXY: 'PROXY' },
      false,
    ],
    ['HTTP_PROXY stands in for HTTPS_PROXY on https', { HTTP_PROXY: 'PROXY' }, true],
  ] as const)('the variables are read the same way: %s', async (_case, variables, proxied) => {
    const env = Object.fromEntries(
      Object.entries(variables).map(([name, value]) => [name, value === 'PROXY' ? proxyUrl : value]),
    );
    const url = new URL('https://api.example.test/v1/x');
    expect({ http: await httpProxied(env, url), realtime: await socketProxied(env, url) }).toEqual({
      http: proxied,
      realtime: proxied,
    });
  });
});
