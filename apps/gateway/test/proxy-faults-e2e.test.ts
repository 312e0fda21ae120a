import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import OpenAI from 'openai';
import { createHeaders } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, rejectionOf, startFeatureGateway } from './support/feature-gateway.js';
import { MOCK_ANSWER, type ProviderMock, startProviderMock } from './support/recording-provider-mock.js';

// The built gateway with HTTPS_PROXY pointing at a proxy that misbehaves: it closes the socket on
// CONNECT, or never answers it, or (when it behaves) hands the connection to the mock's CONNECT proxy,
// which serves api.anthropic.com with the test certificate. undici 7 retried a closed tunnel in a
// tight loop and let a request wait for a silent one past its timeout (nodejs/undici#3897).

type ProxyMode = 'close' | 'silent' | 'tunnel';

interface SwitchableProxy {
  readonly url: string;
  mode: ProxyMode;
  /** CONNECT requests seen in `close` and `silent` modes. */
  readonly connects: number;
  close(): Promise<void>;
}

/** A TCP proxy in front of `upstreamProxy` (the mock's CONNECT proxy) that misbehaves on demand. */
async function startSwitchableProxy(upstreamProxy: string): Promise<SwitchableProxy> {
  const { hostname, port } = new URL(upstreamProxy);
  const sockets = new Set<Socket>();
  const state = { mode: 'tunnel' as ProxyMode, connects: 0 };
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  };
  const server: Server = createServer((client) => {
    track(client);
    const mode = state.mode;
    if (mode === 'tunnel') {
      const onward = connect(Number(port), hostname);
      track(onward);
      client.pipe(onward).pipe(client);
      return;
    }
    client.on('data', (chunk) => {
      state.connects += chunk.toString('latin1').split('CONNECT ').length - 1;
      if (mode === 'close') client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://pk-proxy-user:s3cret-proxy-password@127.0.0.1:${(server.address() as AddressInfo).port}`,
    get mode() {
      return state.mode;
    },
    set mode(mode: ProxyMode) {
      state.mode = mode;
    },
    get connects() {
      return state.connects;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const GATEWAY_KEY = 'pk-proxy-faults';
const ANTHROPIC_KEY = 'sk-ant-proxy-faults';
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];
let mock: ProviderMock;
let proxy: SwitchableProxy;
let gateway: FeatureGateway;

beforeAll(async () => {
  mock = await startProviderMock();
  proxy = await startSwitchableProxy(mock.proxyUrl);
  gateway = await startFeatureGateway({
    mock: { proxyUrl: proxy.url },
    settings: { gateway_keys: [{ id: 'team-a', key: GATEWAY_KEY }] },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await proxy?.close();
  await mock?.close();
});

const client = (config: Record<string, unknown> = {}) =>
  new OpenAI({
    baseURL: gateway.base,
    apiKey: GATEWAY_KEY,
    maxRetries: 0,
    timeout: 20_000,
    defaultHeaders: createHeaders({
      apiKey: GATEWAY_KEY,
      config: { provider: 'anthropic', api_key: ANTHROPIC_KEY, ...config },
    }),
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function expectHealthyGateway(): Promise<void> {
  expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
}

describe('a provider behind an HTTPS_PROXY that fails', () => {
  it('a proxy that closes on CONNECT: the client gets a 502 naming the proxy (not its password) at once, after one CONNECT', async () => {
    proxy.mode = 'close';
    const before = proxy.connects;
    const started = performance.now();
    const error = await rejectionOf(client().chat.completions.create({ model: 'claude-sonnet-4', messages }));
    expect(performance.now() - started).toBeLessThan(5000);
    const port = new URL(proxy.url).port;
    expect(error).toMatchObject({ status: 502, code: 'PK_ERR_UPSTREAM_UNAVAILABLE' });
    expect(error.message).toContain(
      `the provider could not be reached through the proxy http://127.0.0.1:${port} (UND_ERR_SOCKET)`,
    );
    expect(error.message).not.toMatch(/s3cret|pk-proxy-user/);
    await sleep(500);
    expect(proxy.connects - before).toBe(1);
    await expectHealthyGateway();
  });

  it('a proxy that never answers CONNECT: request_timeout answers the client with a 408, and the gateway stays healthy', async () => {
    proxy.mode = 'silent';
    const before = proxy.connects;
    const started = performance.now();
    const error = await rejectionOf(
      client({ request_timeout: 1000 }).chat.completions.create({ model: 'claude-sonnet-4', messages }),
    );
    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ status: 408, code: 'PK_ERR_TIMEOUT' });
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5000);
    await sleep(300);
    expect(proxy.connects - before).toBe(1);
    await expectHealthyGateway();
  });

  it('once the proxy tunnels again, the same gateway reaches the provider through it', async () => {
    proxy.mode = 'tunnel';
    const completion = await client().chat.completions.create({ model: 'claude-sonnet-4', messages });
    expect(completion.choices[0]?.message.content).toBe(MOCK_ANSWER);
    expect(mock.received.at(-1)).toMatchObject({
      host: 'api.anthropic.com',
      path: '/v1/messages',
      headers: { 'x-api-key': ANTHROPIC_KEY },
    });
  });
});
