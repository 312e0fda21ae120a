import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeatureGateway, startFeatureGateway } from './support/feature-gateway.js';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.js';
import { chatChunks, openAIError } from './support/provider-answers.js';
import {
  type ProviderMock,
  type ReceivedRequest,
  startProviderMock,
} from './support/recording-provider-mock.js';
import { temporaryDataDir } from './support/store-fixtures.js';

// "No secret in a log", end to end: canaries put in every place a Portkey user passes a secret
// (gateway keys, a provider key as Authorization, an inline config's api_key, a stored virtual key,
// a header forwarded to a custom host, AWS keys and session token, a service-account key file, a
// custom host's user and password), driven through the built gateway with the official portkey-ai
// SDK, then searched for in every sink pk writes: its stdout at debug level, the request log (list,
// detail and trace views), the SQLite files of its data directory, the OpenTelemetry spans it
// exports, /metrics and the admin API's virtual keys.
const CANARY = {
  userKey: 'pk-sinks-CANARY-user-0001',
  adminKey: 'pk-sinks-CANARY-admin-0001',
  wrongKey: 'pk-sinks-CANARY-wrong-0001',
  providerKey: 'sk-CANARY-sinks-openai-0001',
  inlineKey: 'sk-CANARY-sinks-inline-0001',
  storedKey: 'sk-CANARY-sinks-stored-0001',
  forwarded: 'CANARY-sinks-forwarded-token-0001',
  awsKeyId: 'AKIACANARYSINKS00001',
  awsSecret: 'CANARY-sinks-aws-secret-0001',
  sessionToken: 'CANARY-sinks-aws-session-0001',
  privateKey: 'CANARYsinksPrivateKeyBody0001',
  hostPassword: 'CANARY-sinks-host-password-0001',
  hookHeader: 'CANARY-sinks-hook-header-0001',
  hookQuery: 'CANARY-sinks-hook-query-0001',
} as const;
const ECHO = 'sinks-echo-401';
const CUT = 'sinks-stream-cut';
const messages = [{ role: 'user' as const, content: 'What is the capital of France?' }];

let mock: ProviderMock;
let receiver: OtlpReceiver;
let gateway: FeatureGateway;
const dataDir = temporaryDataDir();
/** A guardrail webhook whose 401 page quotes the URL and headers it got. */
let webhook: Server;

/** The headers an upstream would quote back in its error: every one it got, as it got them. */
const quoted = (request: ReceivedRequest): string => JSON.stringify(request.headers);

beforeAll(async () => {
  mock = await startProviderMock();
  receiver = await startOtlpReceiver();
  webhook = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'unauthorised', url: request.url, headers: request.headers }));
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/check?token=${CANARY.hookQuery}`;
  // A custom host that quotes every header it got, as some servers do in their 401.
  mock.script(ECHO, (request) => ({
    status: 401,
    json: openAIError(401, `not authorised: ${quoted(request)}`),
  }));
  // A stream the custom host cuts with an in-band error quoting the headers.
  mock.script(CUT, (request) => ({
    sse: [
      ...chatChunks(CUT, { pieces: 4 }).slice(0, 3),
      JSON.stringify(openAIError(500, `lost ${quoted(request)}`)),
    ],
    // Apart: the client has its first chunks before the error comes.
    chunkDelayMs: 30,
  }));
  gateway = await startFeatureGateway({
    mock,
    settings: {
      gateway_keys: [
        { id: 'sinks-user', key: CANARY.userKey },
        { id: 'sinks-admin', key: CANARY.adminKey, role: 'admin' },
      ],
      guardrails: {
        'sinks-hook': {
          checks: [
            {
              id: 'default.webhook',
              parameters: {
                webhookURL: webhookUrl,
                headers: { authorization: `Bearer ${CANARY.hookHeader}` },
              },
            },
          ],
        },
      },
      virtual_keys: {
        'sinks-openai': {
          provider: 'openai',
          api_key: CANARY.storedKey,
          options: { custom_host: `${mock.url}/v1` },
        },
      },
    },
    env: {
      PK_DATA_DIR: dataDir.path,
      PK_LOG_BODIES: 'true',
      PK_LOG_LEVEL: 'debug',
      PK_LOG_STORE_FLUSH_MS: '100',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    },
  });
}, 60_000);
afterAll(async () => {
  await gateway?.stop();
  await mock?.close();
  await receiver?.close();
  webhook?.close();
  dataDir.remove();
});

function portkey(options: Record<string, unknown>): Portkey {
  return new Portkey({ baseURL: gateway.base, apiKey: CANARY.userKey, maxRetries: 0, ...options });
}

async function admin(path: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(`${gateway.base}${path}`, {
    ...init,
    headers: { 'x-portkey-api-key': CANARY.adminKey, 'content-type': 'application/json' },
  });
  return { status: response.status, text: await response.text() };
}

/** The request log's detail of every record of `traceId`, once `count` are written, and its trace view. */
async function recordsOf(traceId: string, count = 1): Promise<string> {
  const until = Date.now() + 8000;
  for (;;) {
    const list = await admin(`/logs?trace_id=${encodeURIComponent(traceId)}`);
    const rows = (JSON.parse(list.text) as { data?: { id: string }[] }).data ?? [];
    if (rows.length >= count) {
      const details = await Promise.all(rows.map(async (row) => (await admin(`/logs/${row.id}`)).text));
      return [list.text, ...details, (await admin(`/traces/${encodeURIComponent(traceId)}`)).text].join('\n');
    }
    if (Date.now() > until) throw new Error(`no record of trace ${traceId}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Everything the client saw of a failed call (its message and error body). */
async function failureOf(call: Promise<unknown>): Promise<{ status?: number; seen: string }> {
  try {
    await call;
  } catch (caught) {
    const error = caught as { status?: number; error?: unknown; message?: string };
    return {
      ...(error.status === undefined ? {} : { status: error.status }),
      seen: JSON.stringify([error.message, error.error]),
    };
  }
  throw new Error('expected the call to fail');
}

/** The canaries (by name) found in `text`. */
function canariesIn(text: string): string[] {
  return Object.entries(CANARY)
    .filter(([, value]) => text.includes(value))
    .map(([name]) => name);
}

describe('a header forwarded to a custom host is a credential of the attempt', () => {
  it('a 401 quoting it: [redacted] for the client, in the log record and on stdout', async () => {
    const traceId = `sinks-forward-401-${Date.now()}`;
    const client = portkey({
      provider: 'openai',
      customHost: `${mock.url}/v1`,
      Authorization: `Bearer ${CANARY.providerKey}`,
      forwardHeaders: ['x-api-token'],
      'x-api-token': CANARY.forwarded,
      traceID: traceId,
    });
    const failure = await failureOf(client.chat.completions.create({ model: ECHO, messages }));
    // The host did get the header, and quoted it back.
    expect(mock.forModel(ECHO).at(-1)?.headers['x-api-token']).toBe(CANARY.forwarded);
    expect(failure.status).toBe(401);
    expect(failure.seen).toContain('not authorised');
    expect(failure.seen).toContain('[redacted]');
    expect(canariesIn(failure.seen)).toEqual([]);
    expect(canariesIn(await recordsOf(traceId))).toEqual([]);
    expect(canariesIn(gateway.process.output())).toEqual([]);
  });

  it('a stream cut by an in-band error quoting it: the client’s error frame and the log record', async () => {
    const traceId = `sinks-forward-cut-${Date.now()}`;
    const client = portkey({
      provider: 'openai',
      customHost: `${mock.url}/v1`,
      Authorization: `Bearer ${CANARY.providerKey}`,
      forwardHeaders: ['x-api-token'],
      'x-api-token': CANARY.forwarded,
      traceID: traceId,
    });
    let seen = '';
    try {
      const stream = await client.chat.completions.create({ model: CUT, messages, stream: true });
      for await (const chunk of stream as AsyncIterable<unknown>) seen += JSON.stringify(chunk);
    } catch (caught) {
      seen += JSON.stringify([String(caught), (caught as { error?: unknown }).error]);
    }
    expect(mock.forModel(CUT).at(-1)?.headers['x-api-token']).toBe(CANARY.forwarded);
    // The first chunks came, then the error frame.
    expect(seen).toContain('The capi');
    expect(seen).toContain('lost');
    expect(canariesIn(seen)).toEqual([]);
    expect(canariesIn(await recordsOf(traceId))).toEqual([]);
  });
});

describe('a guardrail webhook’s answer that quotes the call', () => {
  it('shows [redacted] for its headers and query string in hook_results, the log record and stdout', async () => {
    const traceId = `sinks-webhook-${Date.now()}`;
    const answer = await portkey({
      config: { virtual_key: 'sinks-openai', input_guardrails: ['sinks-hook'] },
      traceID: traceId,
    }).chat.completions.create({ model: 'gpt-4o-mini', messages });
    // The webhook's 401 is an error: the check fails open, and its result quotes the 401 page.
    expect(answer.choices[0]?.message?.content).toContain('Paris');
    const shown = JSON.stringify(answer);
    expect(shown).toContain('unauthorised');
    expect(shown).toContain('[redacted]');
    expect(canariesIn(shown)).toEqual([]);
    expect(canariesIn(await recordsOf(traceId))).toEqual([]);
    expect(canariesIn(gateway.process.output())).toEqual([]);
  });
});

describe('a virtual key’s custom host never holds a user and password', () => {
  it('portkey.virtualKeys.create and an update refuse one, naming the field, not the value', async () => {
    const sdk = new Portkey({ baseURL: gateway.base, apiKey: CANARY.adminKey, maxRetries: 0 });
    const refused = await failureOf(
      sdk.virtualKeys.create({
        name: 'with a password',
        provider: 'openai',
        key: 'sk-sinks-custom-host-vk-0001',
        custom_host: `https://team:${CANARY.hostPassword}@llm.example.com/v1`,
      }),
    );
    expect(refused.status).toBe(400);
    expect(refused.seen).toContain('custom_host: expected a URL without credentials or \\"@\\"');
    expect(canariesIn(refused.seen)).toEqual([]);

    const created = await admin('/virtual-keys', {
      method: 'POST',
      body: JSON.stringify({
        name: 'sinks-plain-host',
        slug: 'sinks-plain-host',
        provider: 'openai',
        key: 'sk-sinks-plain-0001',
        custom_host: 'https://llm.example.com/v1',
      }),
    });
    expect(created.status).toBe(200);
    const updated = await admin('/virtual-keys/sinks-plain-host', {
      method: 'PUT',
      body: JSON.stringify({
        options: { custom_host: `https://team:${CANARY.hostPassword}@llm.example.com/v1` },
      }),
    });
    expect(updated.status).toBe(400);
    expect(canariesIn(updated.text)).toEqual([]);
    // Nothing of it was kept: not in the listing (nor, so, the console or the audit log).
    expect(canariesIn((await admin('/virtual-keys')).text)).toEqual([]);
  });
});

describe('secret-bearing requests through portkey-ai', () => {
  it('leave no secret in stdout, the request log, the data directory, the spans, /metrics or the admin API', async () => {
    const run = `sinks-broad-${Date.now()}`;
    const spansBefore = receiver.spans.length;
    const trace = (name: string) => `${run}-${name}`;
    // A provider key as Authorization, to a custom host, with a forwarded header: answered.
    const answered = await portkey({
      provider: 'openai',
      customHost: `${mock.url}/v1`,
      Authorization: `Bearer ${CANARY.providerKey}`,
      forwardHeaders: ['x-api-token'],
      'x-api-token': CANARY.forwarded,
      traceID: trace('bearer'),
      metadata: { _user: 'alice' },
    }).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(answered.choices[0]?.message?.content).toContain('Paris');
    // An inline config with its api_key and forward_headers: a 401 quoting both, then a fallback that answers.
    const config = {
      strategy: { mode: 'fallback', on_status_codes: [401] },
      targets: [
        {
          provider: 'openai',
          api_key: CANARY.inlineKey,
          custom_host: `${mock.url}/v1`,
          forward_headers: ['x-api-token'],
          override_params: { model: ECHO },
        },
        { virtual_key: 'sinks-openai' },
      ],
    };
    const fellBack = await portkey({
      config,
      forwardHeaders: ['x-api-token'],
      'x-api-token': CANARY.forwarded,
      traceID: trace('config'),
    }).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(fellBack.choices[0]?.message?.content).toContain('Paris');
    expect(mock.forModel(ECHO).at(-1)?.headers).toMatchObject({
      authorization: `Bearer ${CANARY.inlineKey}`,
      'x-api-token': CANARY.forwarded,
    });
    // The stored key, quoted back by the provider.
    const stored = await failureOf(
      portkey({ virtualKey: 'sinks-openai', traceID: trace('stored') }).chat.completions.create({
        model: ECHO,
        messages,
      }),
    );
    expect(stored.status).toBe(401);
    // AWS keys and a session token in headers: Bedrock answers.
    const bedrock = await portkey({
      provider: 'bedrock',
      awsAccessKeyId: CANARY.awsKeyId,
      awsSecretAccessKey: CANARY.awsSecret,
      awsSessionToken: CANARY.sessionToken,
      awsRegion: 'us-east-1',
      traceID: trace('bedrock'),
    }).chat.completions.create({ model: 'anthropic.claude-3-haiku-20240307-v1:0', messages });
    expect(bedrock.choices[0]?.message?.content).toContain('Paris');
    expect(mock.received.at(-1)?.headers['x-amz-security-token']).toBe(CANARY.sessionToken);
    // A service-account key file whose key is no key: refused without quoting it.
    const vertex = await failureOf(
      portkey({
        provider: 'vertex-ai',
        vertexProjectId: 'sinks-project',
        vertexRegion: 'us-central1',
        vertexServiceAccountJson: {
          type: 'service_account',
          project_id: 'sinks-project',
          private_key_id: 'sinks-key',
          private_key: `-----BEGIN PRIVATE KEY-----\n${CANARY.privateKey}\n-----END PRIVATE KEY-----\n`,
          client_email: 'sinks@sinks-project.iam.gserviceaccount.com',
          token_uri: 'https://oauth2.googleapis.com/token',
        },
        traceID: trace('vertex'),
      }).chat.completions.create({ model: 'gemini-2.0-flash', messages }),
    );
    expect(vertex.status).toBe(400);
    // A gateway key that is not one.
    const wrong = await failureOf(
      portkey({
        apiKey: CANARY.wrongKey,
        provider: 'openai',
        Authorization: `Bearer ${CANARY.providerKey}`,
      }).chat.completions.create({ model: 'gpt-4o-mini', messages }),
    );
    expect(wrong.status).toBe(401);
    for (const failure of [stored, vertex, wrong]) expect(canariesIn(failure.seen)).toEqual([]);

    const records = await Promise.all([
      recordsOf(trace('bearer')),
      recordsOf(trace('config')),
      recordsOf(trace('stored')),
      recordsOf(trace('bedrock')),
      recordsOf(trace('vertex')),
    ]);
    // The records are there (the config's two attempts in one), and hold none of the secrets.
    expect(records.join('\n')).toContain(ECHO);
    expect(canariesIn(records.join('\n'))).toEqual([]);
    const metrics = await fetch(`${gateway.url}/metrics`, {
      headers: { 'x-portkey-api-key': CANARY.adminKey },
    });
    expect(metrics.status).toBe(200);
    expect(canariesIn(await metrics.text())).toEqual([]);
    expect(canariesIn((await admin('/virtual-keys')).text)).toEqual([]);

    // The spans of these requests (one per request at least), once exported.
    const until = Date.now() + 10_000;
    while (receiver.spans.length < spansBefore + 5 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(receiver.spans.length).toBeGreaterThanOrEqual(spansBefore + 5);
    expect(canariesIn(receiver.rawBodies.join('\n'))).toEqual([]);
    // Every file of the data directory (the SQLite database, its WAL), byte for byte.
    const files = readdirSync(dataDir.path)
      .map((name) => join(dataDir.path, name))
      .filter((path) => statSync(path).isFile());
    expect(files.some((path) => path.endsWith('pk.db'))).toBe(true);
    for (const path of files) expect(canariesIn(readFileSync(path).toString('latin1')), path).toEqual([]);
    // stdout and stderr at debug level, start-up lines included.
    expect(gateway.process.output()).toContain(trace('bedrock'));
    expect(canariesIn(gateway.process.output())).toEqual([]);
  });
});
