import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../spec/upstream-error.js';
import { createAddressGuard, type ResolvedAddress } from './guarded-lookup.js';
import { isInternalAddress } from './internal-address.js';
import { createUndiciTransport } from './undici-transport.js';

describe('isInternalAddress', () => {
  it.each([
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '127.0.0.1',
    '127.1.2.3',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '[::1]',
    '::',
    'fe80::1',
    'fd00::1',
    'fc00::1234',
    'ff02::1',
    '::ffff:10.0.0.1',
    '::ffff:a00:1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '64:ff9b::a00:1',
    '2002:a00:1::',
    'not-an-address',
  ])('%s is internal', (address) => {
    expect(isInternalAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '104.18.6.192', '2606:4700::6810:1', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    '%s is public',
    (address) => {
      expect(isInternalAddress(address)).toBe(false);
    },
  );
});

describe('createUndiciTransport: the SSRF guard', () => {
  let server: Server;
  let port = 0;
  let connections = 0;
  const names: Record<string, readonly ResolvedAddress[]> = {
    localhost: [{ address: '127.0.0.1', family: 4 }],
    'llm.example.test': [{ address: '127.0.0.1', family: 4 }],
    'rebound.example.com': [{ address: '127.0.0.1', family: 4 }],
    'private.example.com': [{ address: '10.0.0.1', family: 4 }],
    'metadata.example.com': [{ address: '169.254.169.254', family: 4 }],
    'mixed.example.com': [
      { address: '8.8.8.8', family: 4 },
      { address: 'fd00::1', family: 6 },
    ],
  };
  const lookups: string[] = [];
  const lookup = async (hostname: string): Promise<readonly ResolvedAddress[]> => {
    lookups.push(hostname);
    const found = names[hostname];
    if (found === undefined) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found;
  };
  const transport = createUndiciTransport({ trustedHosts: ['llm.example.test'], lookup });

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    server.on('connection', () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await transport.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const send = (host: string) =>
    transport.send(
      { url: `http://${host}:${port}/v1/models`, method: 'GET', headers: {} },
      { provider: 'p' },
    );

  it.each(['127.0.0.1', 'localhost', 'llm.example.test'])(
    'connects to %s (canonical loopback, or a trusted name)',
    async (host) => {
      const response = await send(host);
      expect(response.status).toBe(200);
      expect(await new Response(response.body).json()).toEqual({ ok: true });
    },
  );

  it.each([
    ['a name resolving to a private address', 'private.example.com'],
    ['a name resolving to the metadata address', 'metadata.example.com'],
    ['an untrusted name resolving to loopback', 'rebound.example.com'],
    ['a name with one internal address among public ones', 'mixed.example.com'],
    ['a private IPv4 literal', '10.0.0.1'],
    ['the metadata IPv4 literal', '169.254.169.254'],
    ['loopback other than 127.0.0.1', '127.0.0.2'],
    ['IPv4-mapped loopback in hex', '[::ffff:7f00:1]'],
    ['a unique-local IPv6 literal', '[fd00::1]'],
  ])('refuses %s with 400 PK_ERR_INVALID_CUSTOM_HOST before connecting', async (_label, host) => {
    const before = connections;
    const error = await send(host).catch((caught: unknown) => caught);
    expect(UpstreamError.isInstance(error)).toBe(true);
    const upstream = error as UpstreamError;
    expect(upstream.status).toBe(400);
    expect(upstream.code).toBe('PK_ERR_INVALID_CUSTOM_HOST');
    expect(upstream.retryable).toBe(false);
    expect(upstream.toEnvelope().error.type).toBe('invalid_request_error');
    expect(connections).toBe(before);
  });

  it('resolves names through the injected lookup only (no real DNS)', () => {
    expect(lookups).toContain('private.example.com');
    expect(lookups).not.toContain('10.0.0.1');
  });

  it('keeps unknown names a 502 (unreachable), not a refusal', async () => {
    const error = (await send('unknown.example.com').catch((caught: unknown) => caught)) as UpstreamError;
    expect(error.status).toBe(502);
    expect(error.code).toBe('PK_ERR_UPSTREAM_UNAVAILABLE');
  });
});

describe('createAddressGuard: lookup', () => {
  const guard = createAddressGuard({
    resolve: async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ],
  });
  const lookUp = (options: { family?: number | string; all?: boolean }) =>
    new Promise<unknown>((resolve, reject) =>
      guard.lookup('api.example.com', options, (error, address, family) =>
        error ? reject(error) : resolve({ address, family }),
      ),
    );

  it('answers the family asked for, written as a number or as Node’s IPv4 / IPv6', async () => {
    expect(await lookUp({})).toEqual({ address: '93.184.216.34', family: 4 });
    expect(await lookUp({ family: 6 })).toEqual({ address: '2606:2800:220:1::1', family: 6 });
    expect(await lookUp({ family: 'IPv6' })).toEqual({ address: '2606:2800:220:1::1', family: 6 });
    expect(await lookUp({ family: 'IPv4', all: true })).toEqual({
      address: [{ address: '93.184.216.34', family: 4 }],
      family: undefined,
    });
  });
});
