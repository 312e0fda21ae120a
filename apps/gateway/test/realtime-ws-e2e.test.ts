import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Redis } from 'ioredis';
import OpenAI from 'openai';
import { OpenAIRealtimeWebSocket } from 'openai/realtime/websocket';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { createHeaders, Portkey, PortkeyAIRealtimeWS } from 'portkey-ai';
import { Agent as UndiciAgent, WebSocket as UndiciWebSocket } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { createRedisClient } from '../src/stores/redis-client.js';
import { type GatewayProcess, startGateway } from './server-process.js';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.js';
import type { LogLine } from './support/output-lines.js';
import { residentMiB } from './support/process-memory.js';
import { requireRedis } from './support/services.js';
import { type EngineSetup, setUpEngine } from './support/store-fixtures.js';

const postgresUp = await (async () => {
  const { requirePostgres } = await import('@pk/store/testing');
  return requirePostgres('Realtime sessions on two replicas');
})();
const redisUp = await requireRedis('Realtime sessions on two replicas');

// End to end: the built gateway between the official openai package's Realtime client
// (`OpenAIRealtimeWS`, which always dials wss://, so behind a TLS terminator as a deployment would put
// one) and a mock of OpenAI's Realtime WebSocket on 127.0.0.1 that speaks its events.

const PROVIDER_KEY = 'sk-test-realtime-key';
const GATEWAY_KEY = 'pk-test-realtime-gateway-key';
const MODEL = 'gpt-realtime';
const AZURE_KEY = 'az-test-realtime-key';

/** What the mock upstream saw of one connection. */
interface UpstreamConnection {
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly events: unknown[];
  readonly binary: Buffer[];
  readonly socket: WebSocket;
  /** Resolves with the close code the gateway sent (or 1006) and when. */
  readonly closed: Promise<{ code: number; at: number }>;
}

/** What the mock's next `response.done` reports in `response.usage`. */
let mockUsage: Record<string, unknown> = { total_tokens: 12, input_tokens: 9, output_tokens: 3 };

/**
 * A voice turn as OpenAI reports it: 100 input tokens (40 text, 60 audio; 20 of them cached, 10 text
 * and 10 audio) and 50 output tokens (10 text, 40 audio).
 */
const VOICE_TURN_USAGE = {
  total_tokens: 150,
  input_tokens: 100,
  output_tokens: 50,
  input_token_details: {
    cached_tokens: 20,
    text_tokens: 40,
    audio_tokens: 60,
    image_tokens: 0,
    cached_tokens_details: { text_tokens: 10, audio_tokens: 10, image_tokens: 0 },
  },
  output_token_details: { text_tokens: 10, audio_tokens: 40 },
};
/**
 * gpt-realtime's price per 1M tokens (@pk/prices): input $4, cached input $0.40, input audio $32,
 * output $16, output audio $64. A voice turn: 30 text in, 20 cached, 50 audio in, 10 text out, 40 audio out.
 */
const VOICE_TURN_USD = (30 * 4 + 20 * 0.4 + 50 * 32 + 10 * 16 + 40 * 64) / 1_000_000;

/**
 * One input-audio transcription as OpenAI reports it for gpt-4o-transcribe (billed by tokens): 120
 * input tokens (100 audio, 20 text: its prompt) and 30 output tokens.
 */
const TRANSCRIBE_USAGE = {
  type: 'tokens',
  input_tokens: 120,
  output_tokens: 30,
  total_tokens: 150,
  input_token_details: { audio_tokens: 100, text_tokens: 20 },
};
/** gpt-4o-transcribe per 1M tokens (@pk/prices): input $2.50, input audio $6, output $10. */
const TRANSCRIBE_USD = (20 * 2.5 + 100 * 6 + 30 * 10) / 1_000_000;

let http: HttpServer;
/** Every upgrade the mock got (its path and query), in order, the refused ones included. */
const upgrades: string[] = [];
/** The headers of each of {@link upgrades}. */
const upgradeHeaders: IncomingMessage['headers'][] = [];
/** When each upgrade the mock never answered (`/hang/`) was closed by the gateway. */
const hangingClosed: Promise<number>[] = [];
/** How many times each `flaky-*` path refused its upgrade (once each, then it opens). */
const flakyFailures = new Map<string, number>();
let upstream: WebSocketServer;
let upstreamUrl: string;
const connections: UpstreamConnection[] = [];
let gateway: GatewayProcess;
const terminators: TlsServer[] = [];
/** Sockets of the TLS terminators and the proxy still open: destroyed at the end, so closes never wait. */
const openSockets = new Set<{ destroy(): void }>();
let tlsPort: number;
let certDir: string;
let ca: string;

/** A mock of OpenAI's Realtime API: `session.created` on connect, `response.done` for `response.create`. */
function startUpstream(): Promise<void> {
  // OpenAI refuses a wrong key before the upgrade: HTTP 401 with its JSON error.
  http = createHttpServer((_request, response) => response.writeHead(426).end());
  upstream = new WebSocketServer({ noServer: true });
  http.on('upgrade', (request, socket, head) => {
    const path = request.url ?? '';
    upgrades.push(path);
    upgradeHeaders.push(request.headers);
    // Targets that fail their opening, by the first segment of their custom host's path.
    const behaviour = /^\/(busy|down|hang|forbidden|broken|flaky-[\w-]+)\//.exec(path)?.[1];
    if (behaviour === 'hang') {
      // Accepts the connection, never answers the upgrade.
      openSockets.add(socket);
      // Read (and dropped), so the gateway's hanging up is heard.
      socket.resume();
      hangingClosed.push(
        new Promise((resolve) => {
          socket.once('end', () => resolve(Date.now()));
          socket.once('close', () => resolve(Date.now()));
        }),
      );
      return;
    }
    const flaky = behaviour?.startsWith('flaky-') === true;
    const failsNow = flaky && (flakyFailures.get(behaviour as string) ?? 0) < 1;
    if (flaky && failsNow) flakyFailures.set(behaviour as string, 1);
    if (behaviour === 'forbidden' || behaviour === 'broken') {
      // OpenAI's 403 for a region it does not serve; a 500 of its own, with a type and no code.
      const body = JSON.stringify({
        error:
          behaviour === 'forbidden'
            ? {
                message: 'Country, region, or territory not supported',
                type: 'request_forbidden',
                param: null,
                code: 'unsupported_country_region_territory',
              }
            : {
                message: 'The server had an error processing your request.',
                type: 'server_error',
                param: null,
                code: null,
              },
      });
      const status = behaviour === 'forbidden' ? '403 Forbidden' : '500 Internal Server Error';
      socket.end(
        `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      return;
    }
    if (behaviour === 'busy' || behaviour === 'down' || failsNow) {
      const status = behaviour === 'busy' ? '429 Too Many Requests' : '503 Service Unavailable';
      const body =
        behaviour === 'down'
          ? 'upstream connect error'
          : JSON.stringify({
              error: {
                message:
                  behaviour === 'busy' ? 'Rate limit reached for gpt-realtime.' : 'The server is overloaded.',
                type: behaviour === 'busy' ? 'requests' : 'server_error',
                param: null,
                code: behaviour === 'busy' ? 'rate_limit_exceeded' : null,
              },
            });
      socket.end(
        `HTTP/1.1 ${status}\r\n${behaviour === 'busy' ? 'retry-after: 2\r\n' : ''}content-type: ${behaviour === 'down' ? 'text/plain' : 'application/json'}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      return;
    }
    // OpenAI's key as Bearer; Azure OpenAI's in `api-key`.
    if (
      request.headers.authorization !== `Bearer ${PROVIDER_KEY}` &&
      request.headers['api-key'] !== AZURE_KEY
    ) {
      const body = JSON.stringify({
        error: {
          message: 'Incorrect API key provided: sk-wrong.',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      });
      socket.end(
        `HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      return;
    }
    upstream.handleUpgrade(request, socket, head, (socket) => upstream.emit('connection', socket, request));
  });
  upstream.on('connection', (socket, request) => {
    let closedResolve: (value: { code: number; at: number }) => void = () => undefined;
    const closed = new Promise<{ code: number; at: number }>((resolve) => {
      closedResolve = resolve;
    });
    const connection: UpstreamConnection = {
      url: request.url ?? '',
      headers: request.headers,
      events: [],
      binary: [],
      socket,
      closed,
    };
    connections.push(connection);
    socket.on('close', (code) => closedResolve({ code, at: Date.now() }));
    socket.send(
      JSON.stringify({
        type: 'session.created',
        event_id: 'event_001',
        session: { id: 'sess_001', object: 'realtime.session', model: MODEL, modalities: ['text', 'audio'] },
      }),
    );
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        connection.binary.push(data as Buffer);
        socket.send(data as Buffer, { binary: true });
        return;
      }
      let event: { type?: string; event_id?: string };
      try {
        event = JSON.parse(String(data)) as { type?: string; event_id?: string };
      } catch {
        // Not an event: echoed as text, to show it came through as it was sent.
        connection.events.push(String(data));
        socket.send(String(data));
        return;
      }
      connection.events.push(event);
      if (event.type === 'session.update') {
        // OpenAI answers with the session as it now is: the transcription model where the client set it
        // (`audio.input.transcription` in the GA shape, `input_audio_transcription` in the beta's).
        socket.send(
          JSON.stringify({
            type: 'session.updated',
            event_id: 'event_upd',
            session: {
              id: 'sess_001',
              object: 'realtime.session',
              model: MODEL,
              ...(event as { session?: Record<string, unknown> }).session,
            },
          }),
        );
      }
      if (event.type === 'input_audio_buffer.commit') {
        // The turn's transcript, with its usage billed at the transcription model's price.
        const usage = (event as { pk_mock_usage?: unknown }).pk_mock_usage;
        socket.send(
          JSON.stringify({
            type: 'conversation.item.input_audio_transcription.completed',
            event_id: 'event_tr',
            item_id: 'item_in',
            content_index: 0,
            transcript: 'Bonjour, quelle est la capitale de la France ?',
            usage,
          }),
        );
      }
      if (event.type === 'response.create') {
        socket.send(
          JSON.stringify({
            type: 'response.done',
            event_id: 'event_002',
            response: {
              object: 'realtime.response',
              id: 'resp_001',
              status: 'completed',
              status_details: null,
              output: [
                {
                  id: 'item_001',
                  object: 'realtime.item',
                  type: 'message',
                  status: 'completed',
                  role: 'assistant',
                  content: [{ type: 'text', text: 'Paris.' }],
                },
              ],
              usage: mockUsage,
            },
          }),
        );
      }
    });
  });
  return new Promise((resolve) => {
    http.listen(0, '127.0.0.1', () => {
      upstreamUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1`;
      resolve();
    });
  });
}

/** A self-signed certificate for `localhost`, made once for the file. */
function makeCertificate(): void {
  certDir = mkdtempSync(join(tmpdir(), 'pk-realtime-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
      '-keyout',
      join(certDir, 'key.pem'),
      '-out',
      join(certDir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  ca = readFileSync(join(certDir, 'cert.pem'), 'utf8');
}

/** A TLS terminator on 127.0.0.1 in front of a gateway's plain HTTP port; resolves with its port. */
function startTlsTerminator(gatewayPort: number): Promise<number> {
  const server = createTlsServer({ key: readFileSync(join(certDir, 'key.pem')), cert: ca }, (secure) => {
    const plain = netConnect(gatewayPort, '127.0.0.1');
    openSockets.add(secure);
    openSockets.add(plain);
    secure.once('close', () => openSockets.delete(secure));
    plain.once('close', () => openSockets.delete(plain));
    secure.pipe(plain).pipe(secure);
    secure.on('error', () => plain.destroy());
    plain.on('error', () => secure.destroy());
    secure.on('close', () => plain.destroy());
    plain.on('close', () => secure.destroy());
  });
  terminators.push(server);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** A Realtime client as a user writes it: the openai package, x-portkey headers from createHeaders. */
function realtimeClient(headers: Record<string, string>): OpenAIRealtimeWS {
  const client = new OpenAI({ apiKey: PROVIDER_KEY, baseURL: `https://localhost:${tlsPort}/v1` });
  return new OpenAIRealtimeWS({ model: MODEL, options: { headers, ca } }, client);
}

const portkeyHeaders = (): Record<string, string> =>
  createHeaders({ provider: 'openai', customHost: upstreamUrl }) as Record<string, string>;

/** The next event of `type` the client gets. */
function nextEvent(rt: OpenAIRealtimeWS, type: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event within 5 s`)), 5000);
    rt.on('event', (event) => {
      if (event.type !== type) return;
      clearTimeout(timer);
      resolve(event as unknown as Record<string, unknown>);
    });
  });
}

function opened(socket: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
}

function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() }));
  });
}

/** The HTTP answer of an upgrade the gateway refuses: status and JSON body. */
function refusalOf(
  headers: Record<string, string>,
  path = `/v1/realtime?model=${MODEL}`,
  target: GatewayProcess = gateway,
) {
  return new Promise<{
    status: number;
    headers: IncomingMessage['headers'];
    body: { error: { code: string; message: string } };
  }>((resolve, reject) => {
    const socket = new WebSocket(`${target.url.replace('http', 'ws')}${path}`, { headers });
    socket.once('open', () => reject(new Error('the gateway accepted the upgrade')));
    socket.once('error', () => undefined);
    socket.once('unexpected-response', (_request, response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: JSON.parse(text) }),
      );
    });
  });
}

const sessionLine = (line: unknown): line is LogLine =>
  typeof line === 'object' &&
  line !== null &&
  (line as LogLine).msg === 'request' &&
  (line as LogLine).path === '/v1/realtime' &&
  (line as LogLine).status === 101;

beforeAll(async () => {
  await startUpstream();
  gateway = await startGateway();
  makeCertificate();
  tlsPort = await startTlsTerminator(Number(new URL(gateway.url).port));
});

afterAll(async () => {
  gateway?.child.kill('SIGTERM');
  await gateway?.exited;
  for (const socket of openSockets) socket.destroy();
  for (const server of terminators) await new Promise((resolve) => server.close(resolve));
  for (const client of upstream?.clients ?? []) client.terminate();
  await new Promise((resolve) => upstream?.close(resolve));
  await new Promise((resolve) => http?.close(resolve));
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

describe('the Realtime API WebSocket at /v1/realtime', () => {
  it('relays the openai package’s Realtime session to the provider and back, and closes it when the client does', async () => {
    const before = connections.length;
    const linesBefore = gateway.lineCount();
    const rt = realtimeClient(portkeyHeaders());
    const created = await nextEvent(rt, 'session.created');
    expect(created).toMatchObject({ type: 'session.created', session: { id: 'sess_001', model: MODEL } });

    const done = nextEvent(rt, 'response.done');
    rt.send({ type: 'response.create', event_id: 'evt_client_1', response: { output_modalities: ['text'] } });
    expect(await done).toMatchObject({
      type: 'response.done',
      response: { id: 'resp_001', status: 'completed', output: [{ content: [{ text: 'Paris.' }] }] },
    });

    const seen = connections[before];
    expect(connections.length).toBe(before + 1);
    // The provider got the provider key and the model, and nothing of pk's own headers.
    expect(seen?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(seen?.url).toBe(`/v1/realtime?model=${MODEL}`);
    expect(Object.keys(seen?.headers ?? {}).filter((name) => name.startsWith('x-portkey-'))).toEqual([]);
    expect(seen?.events).toEqual([
      { type: 'response.create', event_id: 'evt_client_1', response: { output_modalities: ['text'] } },
    ]);

    const closing = Date.now();
    rt.close({ code: 1000, reason: 'bye' });
    const upstreamClosed = await seen?.closed;
    expect(upstreamClosed?.code).toBe(1000);
    expect((upstreamClosed?.at ?? Number.POSITIVE_INFINITY) - closing).toBeLessThan(1000);

    // One log line for the session: provider, model, its status and duration, no frame's content.
    const line = await gateway.waitForLine(sessionLine, { fromLine: linesBefore });
    expect(line).toMatchObject({
      method: 'GET',
      path: '/v1/realtime',
      status: 101,
      endpoint: 'realtime',
      provider: 'openai',
      model: MODEL,
    });
    expect(typeof line.latencyMs).toBe('number');
    expect(JSON.stringify(line)).not.toContain('Paris');
    expect(JSON.stringify(line)).not.toContain(PROVIDER_KEY);
    // And one record in the request log store, found by its trace id.
    const record = async () => {
      const answer = await fetch(`${gateway.url}/v1/logs`);
      const list = (await answer.json()) as { data: Record<string, unknown>[] };
      return list.data.find((entry) => entry.trace_id === line.traceId);
    };
    await expect.poll(record, { timeout: 5000 }).toMatchObject({
      endpoint: 'realtime',
      method: 'GET',
      status: 101,
      provider: 'openai',
      model: MODEL,
    });
  });

  it('relays portkey-ai’s PortkeyAIRealtimeWS (wss:// through TLS in front of pk), OpenAI-Beta included', async () => {
    // Portkey's way: a gateway key and a virtual key holding the provider key (the helper sends the
    // client's apiKey as Authorization, so it cannot carry the provider key itself).
    writeFileSync(
      join(certDir, 'settings.json'),
      JSON.stringify({
        gateway_keys: [{ id: 'realtime-app', key: GATEWAY_KEY }],
        virtual_keys: {
          'openai-rt': { provider: 'openai', api_key: PROVIDER_KEY, options: { custom_host: upstreamUrl } },
        },
      }),
    );
    const keyed = await startGateway({}, ['--settings', join(certDir, 'settings.json')]);
    const keyedTlsPort = await startTlsTerminator(Number(new URL(keyed.url).port));
    const before = connections.length;
    const portkey = new Portkey({
      apiKey: GATEWAY_KEY,
      virtualKey: 'openai-rt',
      baseURL: `https://localhost:${keyedTlsPort}/v1`,
    });
    const rt = new PortkeyAIRealtimeWS({ model: MODEL, options: { ca } }, portkey as never);
    const created = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no session.created within 5 s')), 5000);
      rt.on('session.created', (event: unknown) => {
        clearTimeout(timer);
        resolve(event as Record<string, unknown>);
      });
      rt.on('error', (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    expect(created).toMatchObject({ type: 'session.created' });
    expect(connections[before]?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(connections[before]?.headers['openai-beta']).toBe('realtime=v1');
    expect(JSON.stringify(connections[before]?.headers)).not.toContain(GATEWAY_KEY);
    const closed = closeOf(rt.socket);
    rt.close();
    expect((await connections[before]?.closed)?.code).toBe(1000);
    await closed;
    keyed.child.kill('SIGTERM');
    expect(await keyed.exited).toBe(0);
  });

  it('passes text and binary frames through unchanged, and OpenAI-Beta as the client sent it', async () => {
    const before = connections.length;
    const socket = new WebSocket(`${gateway.url.replace('http', 'ws')}/v1/realtime?model=${MODEL}`, {
      headers: { ...portkeyHeaders(), authorization: `Bearer ${PROVIDER_KEY}`, 'OpenAI-Beta': 'realtime=v1' },
    });
    const messages: { data: Buffer; isBinary: boolean }[] = [];
    socket.on('message', (data: RawData, isBinary: boolean) =>
      messages.push({ data: data as Buffer, isBinary }),
    );
    await opened(socket);
    const audio = Buffer.from([0, 1, 2, 253, 254, 255, 0x80, 0x81]);
    socket.send(audio, { binary: true });
    // Text that is not even JSON goes through as it is.
    socket.send('not json: {', { binary: false });
    await expect.poll(() => messages.length).toBe(3);
    expect(messages[0]?.isBinary).toBe(false);
    expect(JSON.parse(String(messages[0]?.data))).toMatchObject({ type: 'session.created' });
    expect(messages[1]).toEqual({ data: audio, isBinary: true });
    expect(messages[2]).toEqual({ data: Buffer.from('not json: {'), isBinary: false });
    expect(connections[before]?.events).toEqual(['not json: {']);
    expect(connections[before]?.headers['openai-beta']).toBe('realtime=v1');
    expect(connections[before]?.binary).toEqual([audio]);
    const closed = closeOf(socket);
    socket.close(4321, 'done here');
    expect((await connections[before]?.closed)?.code).toBe(4321);
    expect((await closed).code).toBe(4321);
  });

  it('closes the client with the provider’s close code when the provider ends the session', async () => {
    const before = connections.length;
    const rt = realtimeClient(portkeyHeaders());
    await nextEvent(rt, 'session.created');
    const clientClosed = closeOf(rt.socket);
    connections[before]?.socket.close(4001, 'session expired');
    expect(await clientClosed).toEqual({ code: 4001, reason: 'session expired' });
  });

  it('closes the client with 1011 when the provider’s connection is lost', async () => {
    const before = connections.length;
    const rt = realtimeClient(portkeyHeaders());
    await nextEvent(rt, 'session.created');
    const clientClosed = closeOf(rt.socket);
    connections[before]?.socket.terminate();
    expect(await clientClosed).toEqual({ code: 1011, reason: 'the provider connection was lost' });
  });

  it('refuses an unknown provider before the upgrade, with pk’s HTTP error', async () => {
    const before = connections.length;
    const refused = await refusalOf({
      'x-portkey-provider': 'no-such-provider',
      authorization: 'Bearer sk-x',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('PK_ERR_INVALID_PROVIDER');
    expect(connections.length).toBe(before);
  });

  it('refuses a provider pk has no Realtime API for, and a session without a provider key', async () => {
    const anthropic = await refusalOf({ 'x-portkey-provider': 'anthropic', 'x-api-key': 'sk-ant-x' });
    expect(anthropic.status).toBe(400);
    expect(anthropic.body.error.code).toBe('PK_ERR_UNSUPPORTED_ENDPOINT');
    const keyless = await refusalOf({ 'x-portkey-provider': 'openai', 'x-portkey-custom-host': upstreamUrl });
    expect(keyless.status).toBe(401);
    expect(keyless.body.error.code).toBe('PK_ERR_UNAUTHORIZED');
  });

  it('answers with the provider’s status when it refuses the upgrade', async () => {
    const refused = await refusalOf({ ...portkeyHeaders(), authorization: 'Bearer sk-wrong' });
    // OpenAI's own answer, as a pass-through answer is.
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('invalid_api_key');
  });

  it('stops reading the provider while the client does not read, and loses nothing when it does', async () => {
    const before = connections.length;
    const port = Number(new URL(gateway.url).port);
    const client = netConnect(port, '127.0.0.1');
    const headers = { ...portkeyHeaders(), authorization: `Bearer ${PROVIDER_KEY}` };
    client.write(
      [
        `GET /v1/realtime?model=${MODEL} HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
        '',
        '',
      ].join('\r\n'),
    );
    let received = 0;
    await new Promise<void>((resolve) => {
      client.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > 0) resolve();
      });
    });
    // The client stops reading; the provider sends 64 MiB.
    client.pause();
    await expect.poll(() => connections.length).toBe(before + 1);
    const provider = connections[before]?.socket as WebSocket;
    const rssBefore = residentMiB(gateway.child.pid) ?? 0;
    const message = Buffer.alloc(64 * 1024, 7);
    for (let index = 0; index < 1024; index += 1) provider.send(message, { binary: true });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Most of it still waits at the provider: the gateway stopped reading it.
    expect(provider.bufferedAmount).toBeGreaterThan(16 * 1024 * 1024);
    expect((residentMiB(gateway.child.pid) ?? 0) - rssBefore).toBeLessThan(40);
    // Once the client reads again everything arrives (frame headers: 10 bytes each).
    client.resume();
    await expect.poll(() => received, { timeout: 15_000 }).toBeGreaterThanOrEqual(1024 * (64 * 1024 + 10));
    client.destroy();
    await connections[before]?.closed;
  });

  it('answers another upgrade request (h2c) as the plain request it is, and refuses one with a body', async () => {
    const port = Number(new URL(gateway.url).port);
    const raw = (request: string) =>
      new Promise<string>((resolve) => {
        const socket = netConnect(port, '127.0.0.1');
        let text = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
          text += chunk;
        });
        socket.on('close', () => resolve(text));
        socket.write(request);
      });
    const health = await raw(
      'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n',
    );
    expect(health).toMatch(/^HTTP\/1\.1 200 /);
    expect(health).toContain('{"status":"ok"}');
    const posted = await raw(
      'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
    );
    expect(posted).toMatch(/^HTTP\/1\.1 400 /);
    expect(posted).toContain('PK_ERR_INVALID_REQUEST');
  });

  it('ends open sessions with 1001 at the shutdown’s deadline, and exits', async () => {
    const draining = await startGateway({ PK_SHUTDOWN_TIMEOUT_MS: '500' });
    const before = connections.length;
    const socket = new WebSocket(`${draining.url.replace('http', 'ws')}/v1/realtime?model=${MODEL}`, {
      headers: { ...portkeyHeaders(), authorization: `Bearer ${PROVIDER_KEY}` },
    });
    await opened(socket);
    await expect.poll(() => connections.length).toBe(before + 1);
    const clientClosed = closeOf(socket);
    draining.child.kill('SIGTERM');
    expect(await clientClosed).toEqual({ code: 1001, reason: 'the gateway is shutting down' });
    expect((await connections[before]?.closed)?.code).toBe(1001);
    expect(await draining.exited).toBe(0);
  });

  it('logs a session’s usage summed over its responses and its cost, audio priced apart, never its content', async () => {
    mockUsage = VOICE_TURN_USAGE;
    try {
      const linesBefore = gateway.lineCount();
      const rt = realtimeClient(portkeyHeaders());
      await nextEvent(rt, 'session.created');
      for (const eventId of ['evt_turn_1', 'evt_turn_2']) {
        const done = nextEvent(rt, 'response.done');
        rt.send({ type: 'response.create', event_id: eventId });
        await done;
      }
      rt.close({ code: 1000, reason: 'bye' });
      // (A session of a test before, without usage, may write its line after this one began.)
      const line = await gateway.waitForLine(
        (candidate): candidate is LogLine => sessionLine(candidate) && candidate.usage !== undefined,
        { fromLine: linesBefore },
      );
      // Tokens summed over both responses; the cost of each priced with its audio at audio prices.
      expect(line).toMatchObject({
        usage: { prompt_tokens: 200, completion_tokens: 100, total_tokens: 300, cached_tokens: 40 },
        costStatus: 'priced',
        answeredModel: MODEL,
      });
      expect(line.cost as number).toBeCloseTo(2 * VOICE_TURN_USD, 12);
      expect(JSON.stringify(line)).not.toContain('Paris');
      const record = async () => {
        const answer = await fetch(`${gateway.url}/v1/logs`);
        const list = (await answer.json()) as { data: Record<string, unknown>[] };
        return list.data.find((entry) => entry.trace_id === line.traceId);
      };
      await expect.poll(record, { timeout: 5000 }).toMatchObject({
        endpoint: 'realtime',
        usage: { prompt_tokens: 200, completion_tokens: 100, total_tokens: 300, cached_tokens: 40 },
        cost_status: 'priced',
      });
      expect(((await record()) as { cost: number }).cost).toBeCloseTo(2 * VOICE_TURN_USD, 12);
    } finally {
      mockUsage = { total_tokens: 12, input_tokens: 9, output_tokens: 3 };
    }
  });

  it('prices each input-audio transcription at its transcription model’s price, sums it into the session’s cost, and says what was priced', async () => {
    mockUsage = VOICE_TURN_USAGE;
    try {
      const linesBefore = gateway.lineCount();
      const rt = realtimeClient(portkeyHeaders());
      await nextEvent(rt, 'session.created');
      const updated = nextEvent(rt, 'session.updated');
      rt.send({
        type: 'session.update',
        session: { type: 'realtime', audio: { input: { transcription: { model: 'gpt-4o-transcribe' } } } },
      });
      await updated;
      for (let turn = 0; turn < 2; turn += 1) {
        const transcribed = nextEvent(rt, 'conversation.item.input_audio_transcription.completed');
        rt.send({
          type: 'input_audio_buffer.commit',
          pk_mock_usage: TRANSCRIBE_USAGE,
        } as unknown as Parameters<typeof rt.send>[0]);
        await transcribed;
      }
      const done = nextEvent(rt, 'response.done');
      rt.send({ type: 'response.create' });
      await done;
      rt.close({ code: 1000, reason: 'bye' });
      const line = await gateway.waitForLine(
        (candidate): candidate is LogLine => sessionLine(candidate) && candidate.costParts !== undefined,
        { fromLine: linesBefore },
      );
      // The realtime model's tokens are the session's usage; the transcriptions are priced apart.
      expect(line).toMatchObject({
        usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
        costStatus: 'priced',
        costParts: [
          { part: 'responses', model: MODEL, events: 1 },
          { part: 'input_audio_transcription', model: 'gpt-4o-transcribe', events: 2, total_tokens: 300 },
        ],
      });
      expect(line.cost as number).toBeCloseTo(VOICE_TURN_USD + 2 * TRANSCRIBE_USD, 12);
      const parts = line.costParts as { cost: number }[];
      expect(parts[0]?.cost).toBeCloseTo(VOICE_TURN_USD, 12);
      expect(parts[1]?.cost).toBeCloseTo(2 * TRANSCRIBE_USD, 12);
      expect(JSON.stringify(line)).not.toContain('Bonjour');
      const record = await storedRecord(gateway, String(line.traceId));
      expect(record).toMatchObject({
        cost_status: 'priced',
        cost_source: 'price_table',
        cost_parts: [
          { part: 'responses', model: MODEL, events: 1 },
          { part: 'input_audio_transcription', model: 'gpt-4o-transcribe', events: 2 },
        ],
      });
      expect(record.cost as number).toBeCloseTo(VOICE_TURN_USD + 2 * TRANSCRIBE_USD, 12);
    } finally {
      mockUsage = { total_tokens: 12, input_tokens: 9, output_tokens: 3 };
    }
  });

  it('prices a whisper-1 transcription by its seconds of audio ($0.006 a minute) and adds it to the session’s cost', async () => {
    mockUsage = VOICE_TURN_USAGE;
    try {
      const linesBefore = gateway.lineCount();
      const rt = realtimeClient(portkeyHeaders());
      await nextEvent(rt, 'session.created');
      const updated = nextEvent(rt, 'session.updated');
      // The beta shape of the session.
      rt.send({
        type: 'session.update',
        session: { input_audio_transcription: { model: 'whisper-1' } },
      } as unknown as Parameters<typeof rt.send>[0]);
      await updated;
      const transcribed = nextEvent(rt, 'conversation.item.input_audio_transcription.completed');
      rt.send({
        type: 'input_audio_buffer.commit',
        pk_mock_usage: { type: 'duration', seconds: 4.2 },
      } as unknown as Parameters<typeof rt.send>[0]);
      await transcribed;
      const done = nextEvent(rt, 'response.done');
      rt.send({ type: 'response.create' });
      await done;
      rt.close({ code: 1000, reason: 'bye' });
      const line = await gateway.waitForLine(
        (candidate): candidate is LogLine => sessionLine(candidate) && candidate.costParts !== undefined,
        { fromLine: linesBefore },
      );
      expect(line).toMatchObject({
        costStatus: 'priced',
        costParts: [
          { part: 'responses', model: MODEL, events: 1 },
          // 4.2 s at $0.36 per hour of audio = 4.2 × $0.0001 = $0.00042.
          { part: 'input_audio_transcription', model: 'whisper-1', events: 1, seconds: 4.2, cost: 0.00042 },
        ],
      });
      expect(line.cost as number).toBeCloseTo(VOICE_TURN_USD + 0.00042, 12);
    } finally {
      mockUsage = { total_tokens: 12, input_tokens: 9, output_tokens: 3 };
    }
  });

  it('keeps serving plain requests, and the process stays up', async () => {
    const health = await fetch(`${gateway.url}/health`);
    expect(health.status).toBe(200);
    expect(gateway.child.exitCode).toBeNull();
    expect(gateway.output()).not.toContain(PROVIDER_KEY);
  });
});

/** A port nothing listens on (a server's, closed): a connection there is refused. */
async function closedPort(): Promise<number> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The log store's record of a trace id, once written. */
async function storedRecord(target: GatewayProcess, traceId: string, headers: Record<string, string> = {}) {
  let found: Record<string, unknown> | undefined;
  await expect
    .poll(
      async () => {
        const answer = await fetch(`${target.url}/v1/logs`, { headers });
        const list = (await answer.json()) as { data: Record<string, unknown>[] };
        found = list.data.find((entry) => entry.trace_id === traceId);
        return found !== undefined;
      },
      { timeout: 5000 },
    )
    .toBe(true);
  return found as Record<string, unknown>;
}

describe('a Realtime session’s opening routed by its config: fallback, retries, loadbalance, conditions', () => {
  /** An OpenAI target of a config on the mock, under `path` of its origin. */
  const target = (path: string, extra: Record<string, unknown> = {}) => ({
    provider: 'openai',
    api_key: PROVIDER_KEY,
    custom_host: `${new URL(upstreamUrl).origin}${path}`,
    ...extra,
  });

  /** An `OpenAIRealtimeWS` session under `config` (and metadata), with the headers of its 101. */
  async function routedSession(config: unknown, metadata?: Record<string, string>) {
    const rt = realtimeClient(
      createHeaders({ config: JSON.stringify(config), ...(metadata ? { metadata } : {}) }) as Record<
        string,
        string
      >,
    );
    const upgraded = new Promise<IncomingMessage['headers']>((resolve) =>
      rt.socket.once('upgrade', (response: IncomingMessage) => resolve(response.headers)),
    );
    const created = await nextEvent(rt, 'session.created');
    const headers = await upgraded;
    return { rt, created, headers, traceId: String(headers['x-portkey-trace-id']) };
  }

  /** The log line of the session whose 101 named `traceId`. */
  const lineOf = (traceId: string) =>
    gateway.waitForLine((line: unknown): line is LogLine => sessionLine(line) && line.traceId === traceId);

  it('falls back past a refused connection, a timeout, a provider’s 429 and a 503 to the target that opens, before the client’s upgrade; each attempt in the log record', async () => {
    const refusedPort = await closedPort();
    const config = {
      strategy: { mode: 'fallback' },
      targets: [
        { provider: 'openai', api_key: PROVIDER_KEY, custom_host: `http://127.0.0.1:${refusedPort}/v1` },
        target('/hang/v1', { request_timeout: 300 }),
        target('/busy/v1'),
        target('/down/v1'),
        target('/v1', { override_params: { model: 'gpt-realtime-mini' } }),
      ],
    };
    const before = connections.length;
    const upgradesBefore = upgrades.length;
    const session = await routedSession(config);
    // The provider that opened is the last target's, with its own model.
    expect(connections[before]?.url).toBe('/v1/realtime?model=gpt-realtime-mini');
    expect(upgrades.slice(upgradesBefore)).toEqual([
      `/hang/v1/realtime?model=${MODEL}`,
      `/busy/v1/realtime?model=${MODEL}`,
      `/down/v1/realtime?model=${MODEL}`,
      '/v1/realtime?model=gpt-realtime-mini',
    ]);
    // The 101 names the target that opened, as an HTTP answer does.
    expect(session.headers).toMatchObject({
      'x-portkey-provider': 'openai',
      'x-portkey-last-used-option-index': 'config.targets[4]',
      'x-portkey-retry-attempt-count': '0',
    });
    const done = nextEvent(session.rt, 'response.done');
    session.rt.send({ type: 'response.create' });
    await done;
    session.rt.close();
    const line = await lineOf(session.traceId);
    // Five sockets dialled (the refused connection too), one opened.
    expect(line).toMatchObject({ status: 101, provider: 'openai', model: 'gpt-realtime-mini', attempts: 5 });
    expect(line.attemptLog).toMatchObject([
      { targetPath: 'config.targets[0]', status: 502, errorCode: 'PK_ERR_UPSTREAM_UNAVAILABLE' },
      { targetPath: 'config.targets[1]', status: 408, errorCode: 'PK_ERR_TIMEOUT' },
      { targetPath: 'config.targets[2]', status: 429, errorCode: 'rate_limit_exceeded' },
      { targetPath: 'config.targets[3]', status: 503 },
      { targetPath: 'config.targets[4]', status: 101 },
    ]);
    const record = await storedRecord(gateway, String(line.traceId));
    expect(record).toMatchObject({ endpoint: 'realtime', status: 101, provider: 'openai' });
    expect(record.attempts).toMatchObject([
      { target_path: 'config.targets[0]', status: 502 },
      { target_path: 'config.targets[1]', status: 408 },
      { target_path: 'config.targets[2]', status: 429 },
      { target_path: 'config.targets[3]', status: 503 },
      { target_path: 'config.targets[4]', status: 101 },
    ]);
  });

  it('records the provider’s error code of each refused opening (401, 403, 429, 500) in its attempt and the session’s, as for requests, and the console API shows them', async () => {
    const config = {
      strategy: { mode: 'fallback' },
      targets: [
        { ...target('/v1'), api_key: 'sk-wrong' },
        target('/forbidden/v1'),
        target('/busy/v1'),
        target('/broken/v1'),
      ],
    };
    const refused = await refusalOf({ 'x-portkey-config': JSON.stringify(config) });
    // The last target's own 500, as it came.
    expect(refused.status).toBe(500);
    expect(refused.body.error).toMatchObject({ type: 'server_error' });
    const traceId = String(refused.headers['x-portkey-trace-id']);
    const line = await gateway.waitForLine(
      (entry: unknown): entry is LogLine =>
        typeof entry === 'object' && entry !== null && (entry as LogLine).traceId === traceId,
    );
    expect(line).toMatchObject({ status: 500, errorCode: 'server_error' });
    expect(line.attemptLog).toMatchObject([
      { targetPath: 'config.targets[0]', status: 401, errorCode: 'invalid_api_key' },
      { targetPath: 'config.targets[1]', status: 403, errorCode: 'unsupported_country_region_territory' },
      { targetPath: 'config.targets[2]', status: 429, errorCode: 'rate_limit_exceeded' },
      { targetPath: 'config.targets[3]', status: 500, errorCode: 'server_error' },
    ]);
    const expected = {
      endpoint: 'realtime',
      status: 500,
      error_code: 'server_error',
      attempts: [
        { target_path: 'config.targets[0]', status: 401, error_code: 'invalid_api_key', not_sent: false },
        { target_path: 'config.targets[1]', status: 403, error_code: 'unsupported_country_region_territory' },
        { target_path: 'config.targets[2]', status: 429, error_code: 'rate_limit_exceeded' },
        { target_path: 'config.targets[3]', status: 500, error_code: 'server_error' },
      ],
    };
    expect(await storedRecord(gateway, traceId)).toMatchObject(expected);
    // The console's API (keyless on loopback here) reads the same record.
    const consoleAnswer = await fetch(`${gateway.url}/console/api/logs?trace_id=${traceId}`);
    expect(consoleAnswer.status).toBe(200);
    const [shown] = ((await consoleAnswer.json()) as { data: Record<string, unknown>[] }).data;
    expect(shown).toMatchObject(expected);
  });

  it('answers the last target’s refusal before the upgrade when no target opens, and falls back only on strategy.on_status_codes', async () => {
    const upgradesBefore = upgrades.length;
    const refused = await refusalOf({
      'x-portkey-config': JSON.stringify({
        strategy: { mode: 'fallback' },
        targets: [target('/down/v1'), target('/busy/v1')],
      }),
    });
    // OpenAI's own 429 of the last target, as for a request.
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limit_exceeded');
    // With the provider's wait, as for a request.
    expect(refused.headers).toMatchObject({ 'retry-after': '2', 'retry-after-ms': '2000' });
    expect(upgrades.slice(upgradesBefore)).toEqual([
      `/down/v1/realtime?model=${MODEL}`,
      `/busy/v1/realtime?model=${MODEL}`,
    ]);
    // A 429 is not among the statuses to fall back on: the second target is never dialled.
    const onlyFirst = upgrades.length;
    const kept = await refusalOf({
      'x-portkey-config': JSON.stringify({
        strategy: { mode: 'fallback', on_status_codes: [503] },
        targets: [target('/busy/v1'), target('/v1')],
      }),
    });
    expect(kept.status).toBe(429);
    expect(upgrades.slice(onlyFirst)).toEqual([`/busy/v1/realtime?model=${MODEL}`]);
  });

  it('retries a target whose upgrade got a status of retry.on_status_codes, and opens on the retry', async () => {
    const before = connections.length;
    const upgradesBefore = upgrades.length;
    const session = await routedSession({
      retry: { attempts: 2, on_status_codes: [503] },
      ...target('/flaky-retry/v1'),
    });
    expect(upgrades.slice(upgradesBefore)).toEqual([
      `/flaky-retry/v1/realtime?model=${MODEL}`,
      `/flaky-retry/v1/realtime?model=${MODEL}`,
    ]);
    expect(connections[before]?.url).toBe(`/flaky-retry/v1/realtime?model=${MODEL}`);
    expect(session.headers['x-portkey-retry-attempt-count']).toBe('1');
    session.rt.close();
    const line = await lineOf(session.traceId);
    expect(line).toMatchObject({ attempts: 2, retries: 1 });
    expect(line.attemptLog).toMatchObject([
      { targetPath: 'config', status: 503 },
      { targetPath: 'config', status: 101 },
    ]);
  });

  it('picks one target of a loadbalance config by weight, and routes on metadata with conditional routing', async () => {
    const upgradesBefore = upgrades.length;
    const balanced = {
      strategy: { mode: 'loadbalance' },
      targets: [target('/lb-never/v1', { weight: 0 }), target('/lb-always/v1', { weight: 1 })],
    };
    for (let index = 0; index < 3; index += 1) {
      const session = await routedSession(balanced);
      expect(session.headers['x-portkey-last-used-option-index']).toBe('config.targets[1]');
      session.rt.close();
    }
    expect(upgrades.slice(upgradesBefore)).toEqual(
      Array.from({ length: 3 }, () => `/lb-always/v1/realtime?model=${MODEL}`),
    );

    const conditional = {
      strategy: {
        mode: 'conditional',
        conditions: [{ query: { 'metadata.tier': { $eq: 'pro' } }, then: 'pro' }],
        default: 'free',
      },
      targets: [
        { name: 'pro', ...target('/tier-pro/v1') },
        { name: 'free', ...target('/tier-free/v1', { override_params: { model: 'gpt-realtime-mini' } }) },
      ],
    };
    const routed = upgrades.length;
    const pro = await routedSession(conditional, { tier: 'pro' });
    pro.rt.close();
    const free = await routedSession(conditional, { tier: 'free' });
    free.rt.close();
    expect(upgrades.slice(routed)).toEqual([
      `/tier-pro/v1/realtime?model=${MODEL}`,
      '/tier-free/v1/realtime?model=gpt-realtime-mini',
    ]);
    expect(free.created).toMatchObject({ type: 'session.created' });
  });

  it('skips a target its circuit breaker opened after a failed opening, without dialling it, as for requests', async () => {
    const config = {
      strategy: { mode: 'fallback', cb_config: { failure_threshold: 1, cooldown_interval: 60_000 } },
      targets: [target('/down/v1'), target('/v1')],
    };
    const upgradesBefore = upgrades.length;
    const first = await routedSession(config);
    first.rt.close();
    const second = await routedSession(config);
    second.rt.close();
    // The failing target was dialled once: the second session went straight to the other.
    expect(upgrades.slice(upgradesBefore)).toEqual([
      `/down/v1/realtime?model=${MODEL}`,
      `/v1/realtime?model=${MODEL}`,
      `/v1/realtime?model=${MODEL}`,
    ]);
    const line = await lineOf(second.traceId);
    expect(line.attemptLog).toMatchObject([
      { targetPath: 'config.targets[0]', errorCode: 'PK_ERR_CIRCUIT_OPEN', notSent: true },
      { targetPath: 'config.targets[1]', status: 101 },
    ]);
  });

  it('stops dialling when the client leaves while a target is being reached: no provider socket stays open, no later target is tried', async () => {
    const upgradesBefore = upgrades.length;
    const hangingBefore = hangingClosed.length;
    const linesBefore = gateway.lineCount();
    const socket = new WebSocket(`${gateway.url.replace('http', 'ws')}/v1/realtime?model=${MODEL}`, {
      headers: {
        'x-portkey-config': JSON.stringify({
          strategy: { mode: 'fallback' },
          targets: [target('/hang/v1'), target('/v1')],
        }),
      },
    });
    socket.on('error', () => undefined);
    await expect.poll(() => upgrades.length).toBe(upgradesBefore + 1);
    const leaving = Date.now();
    socket.terminate();
    const closedAt = await hangingClosed[hangingBefore];
    expect((closedAt ?? Number.POSITIVE_INFINITY) - leaving).toBeLessThan(1000);
    const line = await gateway.waitForLine(
      (entry: unknown): entry is LogLine =>
        typeof entry === 'object' &&
        entry !== null &&
        (entry as LogLine).path === '/v1/realtime' &&
        (entry as LogLine).status === 499,
      { fromLine: linesBefore },
    );
    expect(line.attemptLog).toMatchObject([{ targetPath: 'config.targets[0]', status: 499 }]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(upgrades.slice(upgradesBefore)).toEqual([`/hang/v1/realtime?model=${MODEL}`]);
  });

  it('skips a target that cannot open a Realtime session (no Realtime API) and falls back to one that can', async () => {
    const upgradesBefore = upgrades.length;
    const session = await routedSession({
      strategy: { mode: 'fallback' },
      targets: [{ provider: 'anthropic', api_key: 'sk-ant-x' }, target('/v1')],
    });
    session.rt.close();
    expect(upgrades.slice(upgradesBefore)).toEqual([`/v1/realtime?model=${MODEL}`]);
    const line = await lineOf(session.traceId);
    expect(line.attemptLog).toMatchObject([
      {
        targetPath: 'config.targets[0]',
        status: 400,
        errorCode: 'PK_ERR_UNSUPPORTED_ENDPOINT',
        notSent: true,
      },
      { targetPath: 'config.targets[1]', status: 101 },
    ]);
  });
});

describe('Realtime sessions on a gateway with keys: rate limits and budgets (decision 0012), Azure OpenAI', () => {
  const METERED_KEY = 'pk-test-realtime-metered-key';
  const ONCE_A_MINUTE_KEY = 'pk-test-realtime-rpm-key';
  const ADMIN_KEY = 'pk-test-realtime-admin-key';
  const DOLLAR_KEY = 'pk-test-realtime-dollar-key';
  let metered: GatewayProcess;
  let meteredTlsPort: number;

  beforeAll(async () => {
    const upstreamKey = { provider: 'openai', api_key: PROVIDER_KEY, options: { custom_host: upstreamUrl } };
    writeFileSync(
      join(certDir, 'metered-settings.json'),
      JSON.stringify({
        gateway_keys: [
          { id: 'rt-metered', key: METERED_KEY },
          {
            id: 'rt-once',
            key: ONCE_A_MINUTE_KEY,
            rate_limits: [{ type: 'requests', unit: 'rpm', value: 1 }],
          },
          { id: 'rt-admin', key: ADMIN_KEY, role: 'admin' },
          // $1 of spend: two long spoken answers ($0.644 each) use it up.
          { id: 'rt-dollar', key: DOLLAR_KEY, usage_limits: { credit_limit: 1, type: 'cost' } },
        ],
        virtual_keys: {
          'rt-free': upstreamKey,
          // Three voice turns (150 tokens each) fit; the fourth uses the budget up.
          'rt-budget': { ...upstreamKey, usage_limits: { credit_limit: 500, type: 'tokens' } },
          'rt-tpm': { ...upstreamKey, rate_limits: [{ type: 'tokens', unit: 'rpm', value: 250 }] },
          // One request a minute, to a provider that refuses its first upgrade (503) once.
          'rt-one-rpm': {
            ...upstreamKey,
            options: { custom_host: `${new URL(upstreamUrl).origin}/flaky-one-rpm/v1` },
            rate_limits: [{ type: 'requests', unit: 'rpm', value: 1 }],
          },
          // Azure OpenAI, its resource's origin moved to the mock (as an APIM front would be).
          'rt-azure': {
            provider: 'azure-openai',
            api_key: AZURE_KEY,
            options: {
              resource_name: 'my-resource',
              deployment_id: 'gpt-realtime-dep',
              api_version: '2025-04-01-preview',
              custom_host: new URL(upstreamUrl).origin,
            },
          },
        },
      }),
    );
    metered = await startGateway({}, ['--settings', join(certDir, 'metered-settings.json')]);
    meteredTlsPort = await startTlsTerminator(Number(new URL(metered.url).port));
  });

  afterAll(async () => {
    metered?.child.kill('SIGTERM');
    await metered?.exited;
  });

  /** A portkey-ai Realtime session through TLS in front of the metered gateway, with its events. */
  async function portkeySession(apiKey: string, virtualKey: string) {
    const portkey = new Portkey({ apiKey, virtualKey, baseURL: `https://localhost:${meteredTlsPort}/v1` });
    const rt = new PortkeyAIRealtimeWS({ model: MODEL, options: { ca } }, portkey as never);
    const errors: { error?: Record<string, unknown>; message: string }[] = [];
    const done: unknown[] = [];
    rt.on('error', (error: unknown) =>
      errors.push(error as { error?: Record<string, unknown>; message: string }),
    );
    rt.on('response.done', (event: unknown) => done.push(event));
    const upgraded = new Promise<IncomingMessage['headers']>((resolve) =>
      rt.socket.once('upgrade', (response: IncomingMessage) => resolve(response.headers)),
    );
    const closed = closeOf(rt.socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no session.created within 5 s')), 5000);
      rt.on('session.created', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return { rt, errors, done, closed, upgraded };
  }

  it('charges each response.done of a session to its virtual key’s token budget, and ends the session cleanly when a response uses it up', async () => {
    mockUsage = VOICE_TURN_USAGE;
    try {
      const before = connections.length;
      const linesBefore = metered.lineCount();
      const session = await portkeySession(METERED_KEY, 'rt-budget');
      for (let turn = 1; turn <= 4; turn += 1) {
        session.rt.send({ type: 'response.create', event_id: `evt_budget_${turn}` });
        await expect.poll(() => session.done.length).toBe(turn);
      }
      // The fourth turn brought the key to 600 of 500 tokens: an error event, then close 4412.
      expect(await session.closed).toEqual({ code: 4412, reason: 'budget exhausted' });
      expect(session.errors).toHaveLength(1);
      expect(session.errors[0]?.error).toMatchObject({
        type: 'virtual_key_exhaust_error',
        code: 'PK_ERR_BUDGET_EXCEEDED',
      });
      expect(String(session.errors[0]?.error?.message)).toMatch(
        /^Portkey Virtual Key rt\*+get Usage Limit Exceeded: the budget of virtual key rt\*+get is exhausted \(tokens\)/,
      );
      // The provider's socket was closed by pk (nothing more is billed), normally.
      expect((await connections[before]?.closed)?.code).toBe(1000);
      const line = await metered.waitForLine(sessionLine, { fromLine: linesBefore });
      expect(line).toMatchObject({
        status: 101,
        errorCode: 'PK_ERR_BUDGET_EXCEEDED',
        limits: { refusedBy: expect.stringMatching(/^vk:/), reason: 'budget' },
        usage: { total_tokens: 600 },
      });
      // The key's usage: the four responses' tokens, the session one request; the budget exhausted.
      const key = await fetch(`${metered.url}/v1/virtual-keys/rt-budget`, {
        headers: { 'x-portkey-api-key': ADMIN_KEY },
      });
      const usage = (await key.json()) as { status: string; current_usage: Record<string, unknown> };
      expect(usage).toMatchObject({
        status: 'exhausted',
        current_usage: { tokens: 600, requests: 1, budget_exhausted: true },
      });
      // And their spend, each response priced as it came (in whole micro-dollars).
      expect(usage.current_usage.cost_usd).toBeCloseTo(4 * VOICE_TURN_USD, 6);
      // The session's record says why it ended.
      const record = async () => {
        const answer = await fetch(`${metered.url}/v1/logs`, { headers: { 'x-portkey-api-key': ADMIN_KEY } });
        const list = (await answer.json()) as { data: Record<string, unknown>[] };
        return list.data.find((entry) => entry.trace_id === line.traceId);
      };
      await expect.poll(record, { timeout: 5000 }).toMatchObject({
        endpoint: 'realtime',
        status: 101,
        error_code: 'PK_ERR_BUDGET_EXCEEDED',
        error_message: expect.stringContaining('is exhausted (tokens)'),
        usage: { total_tokens: 600 },
      });
      // The next session is refused before the upgrade, as any request would be, and never reaches OpenAI.
      const opened = connections.length;
      const refused = await refusalOf(
        { 'x-portkey-api-key': METERED_KEY, 'x-portkey-virtual-key': 'rt-budget' },
        `/v1/realtime?model=${MODEL}`,
        metered,
      );
      expect(refused.status).toBe(412);
      expect(refused.body.error.code).toBe('PK_ERR_BUDGET_EXCEEDED');
      expect(connections.length).toBe(opened);
    } finally {
      mockUsage = { total_tokens: 12, input_tokens: 9, output_tokens: 3 };
    }
  });

  it('charges each response’s cost to its gateway key’s USD budget, audio at audio prices, and ends the session when it is spent', async () => {
    // 1,000 text tokens in ($4/1M) and 10,000 audio tokens out ($64/1M): $0.644 a turn on gpt-realtime.
    mockUsage = {
      total_tokens: 11_000,
      input_tokens: 1000,
      output_tokens: 10_000,
      input_token_details: { cached_tokens: 0, text_tokens: 1000, audio_tokens: 0 },
      output_token_details: { text_tokens: 0, audio_tokens: 10_000 },
    };
    try {
      const linesBefore = metered.lineCount();
      const session = await portkeySession(DOLLAR_KEY, 'rt-free');
      session.rt.send({ type: 'response.create', event_id: 'evt_dollar_1' });
      await expect.poll(() => session.done.length).toBe(1);
      // $0.644 of $1: the session goes on.
      expect(session.errors).toEqual([]);
      session.rt.send({ type: 'response.create', event_id: 'evt_dollar_2' });
      expect(await session.closed).toEqual({ code: 4412, reason: 'budget exhausted' });
      expect(session.errors[0]?.error).toMatchObject({
        code: 'PK_ERR_BUDGET_EXCEEDED',
        message: 'the budget of gateway key rt-dollar is exhausted',
      });
      const line = await metered.waitForLine(
        (candidate): candidate is LogLine =>
          sessionLine(candidate) &&
          (candidate.limits as { refusedBy?: string } | undefined)?.refusedBy === 'gk:rt-dollar',
        { fromLine: linesBefore },
      );
      expect(line).toMatchObject({ errorCode: 'PK_ERR_BUDGET_EXCEEDED', costStatus: 'priced' });
      expect(line.cost as number).toBeCloseTo(2 * 0.644, 9);
      // The next session is refused with the budget's 412 before the provider is called.
      const refused = await refusalOf(
        { 'x-portkey-api-key': DOLLAR_KEY, 'x-portkey-virtual-key': 'rt-free' },
        `/v1/realtime?model=${MODEL}`,
        metered,
      );
      expect(refused.status).toBe(412);
    } finally {
      mockUsage = { total_tokens: 12, input_tokens: 9, output_tokens: 3 };
    }
  });

  it('ends a session with 4429 when its responses fill the key’s token rate window', async () => {
    mockUsage = VOICE_TURN_USAGE;
    try {
      const session = await portkeySession(METERED_KEY, 'rt-tpm');
      session.rt.send({ type: 'response.create', event_id: 'evt_tpm_1' });
      await expect.poll(() => session.done.length).toBe(1);
      session.rt.send({ type: 'response.create', event_id: 'evt_tpm_2' });
      expect(await session.closed).toEqual({ code: 4429, reason: 'token rate limit reached' });
      expect(session.errors[0]?.error).toMatchObject({ code: 'PK_ERR_RATE_LIMITED' });
    } finally {
      mockUsage = { total_tokens: 12, input_tokens: 9, output_tokens: 3 };
    }
  });

  it('relays a session to Azure OpenAI through an azure-openai virtual key: /openai/realtime with api-version and deployment, api-key, usage priced', async () => {
    mockUsage = VOICE_TURN_USAGE;
    try {
      const before = connections.length;
      const linesBefore = metered.lineCount();
      const client = new OpenAI({ apiKey: METERED_KEY, baseURL: `https://localhost:${meteredTlsPort}/v1` });
      const rt = new OpenAIRealtimeWS(
        { model: MODEL, options: { headers: { 'x-portkey-virtual-key': 'rt-azure' }, ca } },
        client,
      );
      await nextEvent(rt, 'session.created');
      const done = nextEvent(rt, 'response.done');
      rt.send({ type: 'response.create', event_id: 'evt_azure_1' });
      expect(await done).toMatchObject({ response: { id: 'resp_001', status: 'completed' } });
      const seen = connections[before];
      expect(seen?.url).toBe(
        `/openai/realtime?model=${MODEL}&api-version=2025-04-01-preview&deployment=gpt-realtime-dep`,
      );
      expect(seen?.headers['api-key']).toBe(AZURE_KEY);
      // The gateway key stays at pk: no Authorization, no x-portkey-* header reaches Azure.
      expect(seen?.headers.authorization).toBeUndefined();
      expect(JSON.stringify(seen?.headers)).not.toContain(METERED_KEY);
      expect(Object.keys(seen?.headers ?? {}).filter((name) => name.startsWith('x-portkey-'))).toEqual([]);
      rt.close({ code: 1000, reason: 'bye' });
      expect((await seen?.closed)?.code).toBe(1000);
      // (The session of the test before may write its line after this one began.)
      const line = await metered.waitForLine(
        (candidate): candidate is LogLine => sessionLine(candidate) && candidate.provider === 'azure-openai',
        { fromLine: linesBefore },
      );
      expect(line).toMatchObject({
        provider: 'azure-openai',
        model: MODEL,
        usage: { total_tokens: 150 },
        costStatus: 'priced',
      });
      expect(line.cost as number).toBeCloseTo(VOICE_TURN_USD, 12);
      expect(metered.output()).not.toContain(AZURE_KEY);
    } finally {
      mockUsage = { total_tokens: 12, input_tokens: 9, output_tokens: 3 };
    }
  });

  it('takes the key of OpenAI’s browser client (OpenAIRealtimeWebSocket) from its subprotocol, answers realtime, and never echoes or forwards the key', async () => {
    // Node 20 has no global WebSocket: undici's (a browser's WebSocket API), trusting the test CA.
    const dispatcher = new UndiciAgent({ connect: { ca } });
    class BrowserWebSocket extends UndiciWebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, { protocols: protocols ?? [], dispatcher });
      }
    }
    const globalScope = globalThis as { WebSocket?: unknown };
    const had = globalScope.WebSocket;
    globalScope.WebSocket = BrowserWebSocket;
    try {
      const before = connections.length;
      // A browser sends no x-portkey-* header: the virtual key comes with the model (`@slug/model`).
      const client = new OpenAI({
        apiKey: METERED_KEY,
        baseURL: `https://localhost:${meteredTlsPort}/v1`,
        dangerouslyAllowBrowser: true,
      });
      const rt = new OpenAIRealtimeWebSocket({ model: `@rt-free/${MODEL}` }, client);
      const created = new Promise<unknown>((resolve, reject) => {
        rt.on('session.created', resolve);
        rt.on('error', reject);
      });
      expect(await created).toMatchObject({ type: 'session.created' });
      expect((rt.socket as unknown as { protocol: string }).protocol).toBe('realtime');
      const seen = connections[before];
      expect(seen?.url).toBe(`/v1/realtime?model=${MODEL}`);
      expect(seen?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
      expect(seen?.headers['sec-websocket-protocol']).toBeUndefined();
      expect(JSON.stringify(seen?.headers)).not.toContain(METERED_KEY);
      rt.close();
      expect((await seen?.closed)?.code).toBe(1000);
    } finally {
      globalScope.WebSocket = had;
      await dispatcher.close();
    }
  });

  it('admits each attempt of a session under its target’s virtual key: a retry counts once, a refusing key’s target gives way to the next', async () => {
    const upgradesBefore = upgrades.length;
    const retried = new Portkey({
      apiKey: METERED_KEY,
      config: { retry: { attempts: 1, on_status_codes: [503] }, virtual_key: 'rt-one-rpm' },
      baseURL: `https://localhost:${meteredTlsPort}/v1`,
    });
    const first = new PortkeyAIRealtimeWS({ model: MODEL, options: { ca } }, retried as never);
    const firstHeaders = new Promise<IncomingMessage['headers']>((resolve) =>
      first.socket.once('upgrade', (response: IncomingMessage) => resolve(response.headers)),
    );
    const firstClosed = closeOf(first.socket);
    // The retry after the provider's 503 is the same request: the key's 1 a minute lets it through.
    expect(await firstHeaders).toMatchObject({ 'x-portkey-retry-attempt-count': '1' });
    expect(upgrades.slice(upgradesBefore)).toEqual([
      `/flaky-one-rpm/v1/realtime?model=${MODEL}`,
      `/flaky-one-rpm/v1/realtime?model=${MODEL}`,
    ]);
    first.close();
    await firstClosed;
    const key = await fetch(`${metered.url}/v1/virtual-keys/rt-one-rpm`, {
      headers: { 'x-portkey-api-key': ADMIN_KEY },
    });
    expect(((await key.json()) as { current_usage: Record<string, unknown> }).current_usage).toMatchObject({
      requests: 1,
    });

    // Its minute is used: a session whose config tries it first is opened by the next target.
    const fallingBack = new Portkey({
      apiKey: METERED_KEY,
      config: {
        strategy: { mode: 'fallback' },
        targets: [{ virtual_key: 'rt-one-rpm' }, { virtual_key: 'rt-free' }],
      },
      baseURL: `https://localhost:${meteredTlsPort}/v1`,
    });
    const second = new PortkeyAIRealtimeWS({ model: MODEL, options: { ca } }, fallingBack as never);
    const secondHeaders = new Promise<IncomingMessage['headers']>((resolve) =>
      second.socket.once('upgrade', (response: IncomingMessage) => resolve(response.headers)),
    );
    const secondClosed = closeOf(second.socket);
    const upgraded = await secondHeaders;
    expect(upgraded).toMatchObject({ 'x-portkey-last-used-option-index': 'config.targets[1]' });
    second.close();
    await secondClosed;
    const line = await metered.waitForLine(
      (entry: unknown): entry is LogLine =>
        sessionLine(entry) && entry.traceId === upgraded['x-portkey-trace-id'],
    );
    expect(line.attemptLog).toMatchObject([
      { targetPath: 'config.targets[0]', status: 429, errorCode: 'PK_ERR_RATE_LIMITED', notSent: true },
      { targetPath: 'config.targets[1]', status: 101 },
    ]);
    // The refused target was never dialled.
    expect(upgrades.slice(upgradesBefore + 2)).toEqual([`/v1/realtime?model=${MODEL}`]);
  });

  it('counts a session against its gateway key’s request rate: the second in a minute is a 429 before the upgrade', async () => {
    const first = await portkeySession(ONCE_A_MINUTE_KEY, 'rt-free');
    // The 101 says the session's trace id and the room the key has left, as other answers do.
    expect(await first.upgraded).toMatchObject({
      'x-portkey-trace-id': expect.any(String),
      'x-pk-ratelimit-limit-requests': '1',
      'x-pk-ratelimit-remaining-requests': '0',
    });
    first.rt.close();
    await first.closed;
    const opened = connections.length;
    const refused = await refusalOf(
      { 'x-portkey-api-key': ONCE_A_MINUTE_KEY, 'x-portkey-virtual-key': 'rt-free' },
      `/v1/realtime?model=${MODEL}`,
      metered,
    );
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('PK_ERR_RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(connections.length).toBe(opened);
  });
});

describe.runIf(postgresUp && redisUp)(
  'Realtime sessions on two replicas sharing PostgreSQL and Redis limits',
  () => {
    const USER_KEY = 'pk-test-realtime-shared-user';
    const SHARED_ADMIN_KEY = 'pk-test-realtime-shared-admin';
    const prefix = `pk-test-realtime-shared:${Date.now()}-${process.pid}:limits:`;
    let setup: EngineSetup;
    let redis: Redis;
    const replicas: { gateway: GatewayProcess; tlsPort: number }[] = [];

    beforeAll(async () => {
      setup = await setUpEngine('postgres');
      redis = createRedisClient('redis://127.0.0.1:6379', { commandTimeoutMs: 2000 });
      await once(redis, 'ready');
      writeFileSync(
        join(certDir, 'shared-settings.json'),
        JSON.stringify({
          gateway_keys: [
            { id: 'rt-shared-user', key: USER_KEY },
            { id: 'rt-shared-admin', key: SHARED_ADMIN_KEY, role: 'admin' },
          ],
          virtual_keys: {
            // One voice turn (150 tokens) fits; a second, on whichever replica, uses the budget up.
            'rt-shared': {
              provider: 'openai',
              api_key: PROVIDER_KEY,
              options: { custom_host: upstreamUrl },
              usage_limits: { credit_limit: 200, type: 'tokens' },
            },
          },
        }),
      );
      const env = {
        ...setup.env,
        PK_LIMITS_STORE: 'redis',
        PK_LIMITS_KEY_PREFIX: prefix,
        PK_REPLICAS: '2',
        PK_LIMITS_TIMEOUT_MS: '5000',
      };
      for (let index = 0; index < 2; index += 1) {
        const replica = await startGateway(env, ['--settings', join(certDir, 'shared-settings.json')]);
        replicas.push({
          gateway: replica,
          tlsPort: await startTlsTerminator(Number(new URL(replica.url).port)),
        });
      }
    }, 60_000);

    afterAll(async () => {
      for (const { gateway: replica } of replicas) {
        replica.child.kill('SIGTERM');
        await replica.exited;
      }
      await setup?.cleanup();
      if (redis) {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
        redis.disconnect();
      }
    });

    /** A portkey-ai session on replica `index`: its response.done events, errors and close. */
    async function sharedSession(index: number) {
      const portkey = new Portkey({
        apiKey: USER_KEY,
        virtualKey: 'rt-shared',
        baseURL: `https://localhost:${replicas[index]?.tlsPort}/v1`,
      });
      const rt = new PortkeyAIRealtimeWS({ model: MODEL, options: { ca } }, portkey as never);
      const errors: { error?: Record<string, unknown> }[] = [];
      const done: unknown[] = [];
      rt.on('error', (error: unknown) => errors.push(error as { error?: Record<string, unknown> }));
      rt.on('response.done', (event: unknown) => done.push(event));
      const closed = closeOf(rt.socket);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no session.created within 5 s')), 5000);
        rt.on('session.created', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      return { rt, errors, done, closed };
    }

    async function sharedUsage(index: number): Promise<Record<string, unknown>> {
      const answer = await fetch(`${replicas[index]?.gateway.url}/v1/virtual-keys/rt-shared`, {
        headers: { 'x-portkey-api-key': SHARED_ADMIN_KEY },
      });
      return ((await answer.json()) as { current_usage: Record<string, unknown> }).current_usage;
    }

    it('charges a session’s response.done on one replica to the shared budget: the other ends its session when it is spent, the first ends at its next response, and the next session is refused', async () => {
      mockUsage = VOICE_TURN_USAGE;
      try {
        // Replica 0: one turn, 150 of 200 tokens; the session stays open.
        const first = await sharedSession(0);
        first.rt.send({ type: 'response.create' });
        await expect.poll(() => first.done.length).toBe(1);
        // Replica 1 sees the spend.
        await expect.poll(async () => (await sharedUsage(1)).tokens, { timeout: 5000 }).toBe(150);

        // Replica 1: admitted (room is left), and its first turn takes the key past 200: 4412.
        const second = await sharedSession(1);
        second.rt.send({ type: 'response.create' });
        expect(await second.closed).toEqual({ code: 4412, reason: 'budget exhausted' });
        expect(second.errors[0]?.error).toMatchObject({ code: 'PK_ERR_BUDGET_EXCEEDED' });
        // The session still open on replica 0 ends at its next response: the budget is spent.
        first.rt.send({ type: 'response.create' });
        expect(await first.closed).toEqual({ code: 4412, reason: 'budget exhausted' });

        // And replica 0 refuses the next session before the upgrade.
        const opened = connections.length;
        const refused = await refusalOf(
          { 'x-portkey-api-key': USER_KEY, 'x-portkey-virtual-key': 'rt-shared' },
          `/v1/realtime?model=${MODEL}`,
          replicas[0]?.gateway,
        );
        expect(refused.status).toBe(412);
        expect(refused.body.error.code).toBe('PK_ERR_BUDGET_EXCEEDED');
        expect(connections.length).toBe(opened);
        expect(await sharedUsage(0)).toMatchObject({ tokens: 450, requests: 2, budget_exhausted: true });
      } finally {
        mockUsage = { total_tokens: 12, input_tokens: 9, output_tokens: 3 };
      }
    });
  },
);

describe('a Realtime session’s trace', () => {
  const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
  const PARENT_SPAN = '00f067aa0ba902b7';
  let receiver: OtlpReceiver;
  let traced: GatewayProcess;
  let tracedTlsPort: number;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    traced = await startGateway({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    tracedTlsPort = await startTlsTerminator(Number(new URL(traced.url).port));
  });

  afterAll(async () => {
    traced?.child.kill('SIGTERM');
    await traced?.exited;
    await receiver?.close();
  });

  it('gives each provider socket’s upgrade a traceparent naming its attempt’s span, and the session’s span gen_ai.operation.name', async () => {
    const upgradesBefore = upgrades.length;
    const client = new OpenAI({ apiKey: PROVIDER_KEY, baseURL: `https://localhost:${tracedTlsPort}/v1` });
    const rt = new OpenAIRealtimeWS(
      {
        model: MODEL,
        options: {
          ca,
          headers: {
            ...(createHeaders({
              config: JSON.stringify({
                retry: { attempts: 1, on_status_codes: [503] },
                provider: 'openai',
                api_key: PROVIDER_KEY,
                custom_host: `${new URL(upstreamUrl).origin}/flaky-traced/v1`,
              }),
            }) as Record<string, string>),
            traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-01`,
            tracestate: 'congo=t61rcWkgMzE',
          },
        },
      },
      client,
    );
    await nextEvent(rt, 'session.created');
    const closed = closeOf(rt.socket);
    rt.close();
    await closed;
    const sent = upgradeHeaders.slice(upgradesBefore);
    expect(sent).toHaveLength(2);
    await expect
      .poll(() => receiver.spans.filter((span) => span.traceId === TRACE_ID).length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(3);
    const spans = receiver.spans.filter((span) => span.traceId === TRACE_ID);
    const session = spans.find((span) => span.kind === 2);
    expect(session?.parentSpanId).toBe(PARENT_SPAN);
    expect(session?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': MODEL,
      'http.response.status_code': 101,
    });
    const attempts = spans
      .filter((span) => span.parentSpanId === session?.spanId)
      .sort((a, b) => Number(a.startNs - b.startNs));
    expect(attempts).toHaveLength(2);
    expect(sent.map((headers) => headers.traceparent)).toEqual(
      attempts.map((span) => `00-${TRACE_ID}-${span.spanId}-01`),
    );
    expect(sent.map((headers) => headers.tracestate)).toEqual(['congo=t61rcWkgMzE', 'congo=t61rcWkgMzE']);
  });
});

describe('the provider’s socket through HTTPS_PROXY', () => {
  let proxyServer: HttpServer;
  let proxyPort: number;
  let refuseTunnels = false;
  const tunnels: { target: string; auth: string | undefined }[] = [];
  let proxied: GatewayProcess;

  beforeAll(async () => {
    // An HTTP proxy that tunnels CONNECT (as squid does), or refuses it with 403.
    proxyServer = createHttpServer((_request, response) => response.writeHead(405).end());
    proxyServer.on('connect', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      tunnels.push({ target: request.url ?? '', auth: request.headers['proxy-authorization'] });
      openSockets.add(socket);
      socket.once('close', () => openSockets.delete(socket));
      socket.on('error', () => socket.destroy());
      if (refuseTunnels) {
        socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      const [host, port] = (request.url ?? '').split(':');
      const upstreamSocket = netConnect(
        Number(port),
        host === 'localhost' ? '127.0.0.1' : (host ?? ''),
        () => {
          socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          if (head.length > 0) upstreamSocket.write(head);
          upstreamSocket.pipe(socket).pipe(upstreamSocket);
        },
      );
      openSockets.add(upstreamSocket);
      // A tunnel ends both ways when either side closes, as a proxy's does.
      upstreamSocket.once('close', () => {
        openSockets.delete(upstreamSocket);
        socket.destroy();
      });
      upstreamSocket.on('error', () => socket.destroy());
      socket.on('close', () => upstreamSocket.destroy());
    });
    await new Promise<void>((resolve) => proxyServer.listen(0, '127.0.0.1', resolve));
    proxyPort = (proxyServer.address() as AddressInfo).port;
    proxied = await startGateway({
      HTTPS_PROXY: `http://tunnel-user:tunnel-secret@127.0.0.1:${proxyPort}`,
      // The provider's certificate (the test CA) is trusted by the gateway process.
      NODE_EXTRA_CA_CERTS: join(certDir, 'cert.pem'),
    });
  });

  afterAll(async () => {
    proxied?.child.kill('SIGTERM');
    await proxied?.exited;
    for (const socket of openSockets) socket.destroy();
    proxyServer?.closeAllConnections();
    await new Promise((resolve) => proxyServer?.close(resolve));
  });

  it('opens a wss:// provider socket through the proxy’s CONNECT tunnel, with its credentials', async () => {
    // OpenAI behind TLS (localhost, the test CA), reached as wss://.
    const providerTlsPort = await startTlsTerminator(Number(new URL(upstreamUrl).port));
    const before = connections.length;
    const socket = new WebSocket(`${proxied.url.replace('http', 'ws')}/v1/realtime?model=${MODEL}`, {
      headers: {
        ...createHeaders({ provider: 'openai', customHost: `https://localhost:${providerTlsPort}/v1` }),
        authorization: `Bearer ${PROVIDER_KEY}`,
      },
    });
    const first = new Promise<string>((resolve) =>
      socket.once('message', (data: RawData) => resolve(String(data))),
    );
    await opened(socket);
    expect(JSON.parse(await first)).toMatchObject({ type: 'session.created' });
    expect(tunnels.at(-1)).toEqual({
      target: `localhost:${providerTlsPort}`,
      auth: `Basic ${Buffer.from('tunnel-user:tunnel-secret').toString('base64')}`,
    });
    expect(connections[before]?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    const closed = closeOf(socket);
    socket.close(1000);
    expect((await connections[before]?.closed)?.code).toBe(1000);
    await closed;
  });

  it('answers 502 naming the proxy, never its password, when the proxy refuses the tunnel', async () => {
    refuseTunnels = true;
    try {
      const before = connections.length;
      const refused = await refusalOf(
        {
          ...createHeaders({ provider: 'openai', customHost: 'https://localhost:9/v1' }),
          authorization: `Bearer ${PROVIDER_KEY}`,
        },
        `/v1/realtime?model=${MODEL}`,
        proxied,
      );
      expect(refused.status).toBe(502);
      expect(refused.body.error.code).toBe('PK_ERR_UPSTREAM_UNAVAILABLE');
      expect(refused.body.error.message).toContain(`the proxy http://127.0.0.1:${proxyPort} (HTTP 403)`);
      expect(JSON.stringify(refused.body)).not.toContain('tunnel-secret');
      expect(connections.length).toBe(before);
      expect(proxied.output()).not.toContain('tunnel-secret');
    } finally {
      refuseTunnels = false;
    }
  });
});
