import { randomBytes, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { checkSigV4, sigV4FactsOf } from './aws-sigv4-check.js';
import { eventStreamFrame } from './event-stream-frames.js';
import {
  anthropicMessage,
  CREATED,
  chatChunks,
  chatCompletion,
  converseAnswer,
  geminiAnswer,
  nextId,
  openAIError,
} from './provider-answers.js';

// The provider mock of the feature suite: one recording request handler that speaks each provider's
// documented wire format, served over plain HTTP on 127.0.0.1 (providers reached through a custom
// host) and over TLS behind a CONNECT proxy on 127.0.0.1 (providers reached by their real host
// names: the gateway process gets `HTTPS_PROXY` and the test CA in `NODE_EXTRA_CA_CERTS`, so nothing
// ever leaves the machine). Response shapes follow the vendors' API references:
// OpenAI https://platform.openai.com/docs/api-reference/chat/object (and .../chat-streaming),
// Anthropic https://docs.anthropic.com/en/api/messages, Gemini/Vertex
// https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference, Bedrock
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html, Google OAuth
// https://developers.google.com/identity/protocols/oauth2/service-account#httprest, STS AssumeRole
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (Query API, XML answers).

export { closedPort, type ResettingServer, startResettingServer } from './network-faults.js';
export { chatChunks, chatCompletion, MOCK_ANSWER } from './provider-answers.js';

/** OpenAI's answer to `max_tokens` sent to an o-series or gpt-5 model: a 400 naming the field. */
const UNSUPPORTED_MAX_TOKENS = {
  error: {
    message:
      "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
    type: 'invalid_request_error',
    param: 'max_tokens',
    code: 'unsupported_parameter',
  },
};

const sleep = (ms: number) =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

const fixture = (name: string): Buffer => readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url));

/** The test CA the gateway process trusts (`NODE_EXTRA_CA_CERTS`). */
export const FEATURE_CA_PATH = new URL('../__fixtures__/feature-ca.pem', import.meta.url).pathname;

/** Host names the CONNECT proxy serves (the test certificate covers exactly these). */
export const INTERCEPTED_HOSTS: readonly string[] = [
  'my-resource.openai.azure.com',
  'us-central1-aiplatform.googleapis.com',
  'europe-west12-aiplatform.googleapis.com',
  'aiplatform.us.rep.googleapis.com',
  'aiplatform.eu.rep.googleapis.com',
  'oauth2.googleapis.com',
  'bedrock-runtime.us-east-1.amazonaws.com',
  'api.anthropic.com',
  'sts.us-east-1.amazonaws.com',
];

/** One request the mock received, as it arrived. */
export interface ReceivedRequest {
  /** The `Host` header (`127.0.0.1:port`, or a provider's real name behind the proxy). */
  readonly host: string;
  readonly method: string;
  /** Path with its query string. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body, the form fields of a urlencoded one, else `undefined` (see `raw`). */
  readonly body: Record<string, unknown> | undefined;
  readonly raw: Buffer;
  /** The `model` of a JSON body, else the one in the path (Bedrock, Gemini), else `''`. */
  readonly model: string;
}

/** What the mock answers to one request. */
export type MockReply =
  | {
      readonly status?: number;
      readonly headers?: Readonly<Record<string, string>>;
      /** The answer, serialised compactly; or {@link jsonText} as given. */
      readonly json: unknown;
      /** The answer's exact JSON text (a vendor's own spacing or number spelling). */
      readonly jsonText?: string;
      readonly delayMs?: number;
      /** Sends the headers and this many bytes of the body, then nothing more (a stalled answer). */
      readonly stallAfterBytes?: number;
    }
  | {
      readonly status?: number;
      readonly headers?: Readonly<Record<string, string>>;
      /**
       * SSE payloads, sent one per write (`[DONE]` is not added): a `data:` line, or a named event
       * (`event:` and `data:` lines, as OpenAI's Responses stream sends them).
       */
      readonly sse: readonly SsePayload[];
      /** Before the headers. */
      readonly delayMs?: number;
      /** Before each payload, the first one too (the headers are sent at once). */
      readonly chunkDelayMs?: number;
      /** Sends this many payloads, then nothing more until the client leaves (a stalled stream). */
      readonly stallAfter?: number;
      /**
       * Breaks the connection once this many payloads left (0: once the headers left): `reset` with
       * a TCP RST, `close` with a FIN. The headers go with the first payload, in one write.
       */
      readonly breakAfter?: { readonly payloads: number; readonly how: 'reset' | 'close' };
    }
  | {
      readonly status?: number;
      /**
       * Bedrock event-stream frames (`application/vnd.amazon.eventstream`), one per write, each
       * `{"<event or exception type>": payload}` as the `ConverseStreamOutput` union is documented.
       */
      readonly eventStream: readonly Record<string, unknown>[];
      /** Before each frame, the first one too (the headers are sent at once): frames arrive apart. */
      readonly chunkDelayMs?: number;
    }
  | {
      readonly status?: number;
      /**
       * A stream in its vendor's own framing, one frame per write: SSE text, or Bedrock's binary
       * event-stream frames (`provider-mock-formats.ts`' `MockReplyBody.frames`).
       */
      readonly frames: readonly (string | Uint8Array)[];
      readonly contentType: string;
      /** More answer headers (a file's `content-length`); without one the answer is chunked. */
      readonly headers?: Readonly<Record<string, string>>;
      /** Breaks the connection once this many frames left (see the `sse` reply's `breakAfter`). */
      readonly breakAfter?: { readonly payloads: number; readonly how: 'reset' | 'close' };
    }
  | {
      readonly status?: number;
      /** An XML answer (`text/xml`), as AWS's Query APIs (STS) send. */
      readonly xml: string;
      readonly delayMs?: number;
    }
  /** Destroys the connection without answering (a reset). */
  | { readonly reset: true };

/** One SSE event: its `data:` text, or a named event (`event:` then `data:`). */
export type SsePayload = string | { readonly event: string; readonly data: string };

/** The frame of one SSE payload, blank line included. */
function sseFrameOf(payload: SsePayload): string {
  return typeof payload === 'string'
    ? `data: ${payload}\n\n`
    : `event: ${payload.event}\ndata: ${payload.data}\n\n`;
}

/** An AWS key the mock's STS and Bedrock know: its secret, and the session token of a temporary one. */
export interface MockAwsKey {
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** One STS AssumeRole call the mock answered. */
export interface MockAssumeRoleCall {
  readonly roleArn: string;
  readonly externalId?: string;
  /** The key that signed the call. */
  readonly accessKeyId: string;
  /** The STS error code, when refused. */
  readonly error?: string;
  /** The temporary credentials issued. */
  readonly issued?: { readonly accessKeyId: string } & MockAwsKey;
}

type Script = (request: ReceivedRequest, index: number) => MockReply | undefined;

/** The running mock. */
export interface ProviderMock {
  /** `http://127.0.0.1:<port>`: use `${url}/v1` as an OpenAI-family custom host. */
  readonly url: string;
  /** `http://127.0.0.1:<port>` of the CONNECT proxy, for the gateway's `HTTPS_PROXY`. */
  readonly proxyUrl: string;
  /** Every request, in arrival order. */
  readonly received: ReceivedRequest[];
  /** Requests whose JSON body named this `model`. */
  forModel(model: string): ReceivedRequest[];
  /**
   * Answers for a model: the n-th request for it gets `replies[n]` (the last one repeats), or the
   * function's answer (`undefined`: the default answer).
   */
  script(model: string, replies: readonly MockReply[] | Script): void;
  /** Embedding vectors by input text (others get a far-away vector). */
  readonly embeddings: Map<string, number[]>;
  /** Service accounts the OAuth endpoint accepts: client email → PEM public key. */
  readonly serviceAccounts: Map<string, string>;
  /** Milliseconds the OAuth endpoint waits before answering (concurrent exchanges overlap). */
  tokenDelayMs: number;
  /** Access tokens Vertex answers 401 `UNAUTHENTICATED` to (revoked before they expired). */
  readonly revokedTokens: Set<string>;
  /** Token exchanges the OAuth endpoint answered, successful or not. */
  readonly tokenExchanges: { readonly email: string; readonly ok: boolean; readonly token?: string }[];
  /**
   * AWS keys by access key id. STS accepts calls signed by these only; Bedrock checks the SigV4
   * signature (and session token) of a call signed by one of these, and of others only the form.
   * STS adds the temporary keys it issues.
   */
  readonly awsKeys: Map<string, MockAwsKey>;
  /**
   * Amazon Bedrock API keys Bedrock accepts as `Authorization: Bearer` (when any is set): a bearer
   * call to `bedrock-runtime` with another key is refused with a 403, scripted or not.
   */
  readonly bedrockApiKeys: Set<string>;
  /** Roles STS lets any known key assume, with the external id their trust policy requires. */
  readonly assumableRoles: Map<string, { readonly externalId?: string }>;
  /** STS AssumeRole calls, in order. */
  readonly assumeRoleCalls: MockAssumeRoleCall[];
  /** Milliseconds STS waits before answering (concurrent calls overlap). */
  stsDelayMs: number;
  close(): Promise<void>;
}

function parseBody(raw: Buffer, contentType: string | undefined): Record<string, unknown> | undefined {
  if (raw.length === 0) return undefined;
  if (contentType?.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(raw.toString('utf8'));
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  }
  return undefined;
}

/** The model Bedrock (`/model/{id}/converse`) and Gemini (`/models/{id}:generateContent`) name in the path. */
function modelInPath(path: string): string {
  const match = /\/models?\/([^/:?]+)/.exec(path.split('?')[0] ?? '');
  return match?.[1] === undefined ? '' : decodeURIComponent(match[1]);
}

function base64url(text: string): Buffer {
  return Buffer.from(text, 'base64url');
}

/** Starts the mock: the HTTP server and the CONNECT proxy in front of its TLS twin. */
export async function startProviderMock(): Promise<ProviderMock> {
  const received: ReceivedRequest[] = [];
  const scripts = new Map<string, Script>();
  const counts = new Map<string, number>();
  const embeddings = new Map<string, number[]>();
  const serviceAccounts = new Map<string, string>();
  const tokenExchanges: { email: string; ok: boolean; token?: string }[] = [];
  const revokedTokens = new Set<string>();
  const awsKeys = new Map<string, MockAwsKey>();
  const bedrockApiKeys = new Set<string>();
  const assumableRoles = new Map<string, { readonly externalId?: string }>();
  const assumeRoleCalls: MockAssumeRoleCall[] = [];
  const sockets = new Set<Socket>();
  const state = { tokenDelayMs: 0, stsDelayMs: 0 };

  async function send(response: ServerResponse, reply: MockReply): Promise<void> {
    if ('reset' in reply) {
      response.socket?.destroy();
      return;
    }
    if ('eventStream' in reply) {
      response.writeHead(reply.status ?? 200, { 'content-type': 'application/vnd.amazon.eventstream' });
      if (reply.chunkDelayMs !== undefined) response.flushHeaders();
      for (const event of reply.eventStream) {
        if (response.destroyed) return;
        await sleep(reply.chunkDelayMs ?? 0);
        const [type = 'unknown', payload] = Object.entries(event)[0] ?? [];
        response.write(eventStreamFrame(type, payload));
      }
      response.end();
      return;
    }
    if ('frames' in reply) {
      response.writeHead(reply.status ?? 200, { 'content-type': reply.contentType, ...reply.headers });
      if (reply.breakAfter !== undefined) return breakStream(response, reply.frames, reply.breakAfter);
      for (const frame of reply.frames) response.write(frame);
      response.end();
      return;
    }
    await sleep(reply.delayMs ?? 0);
    if ('xml' in reply) {
      response.writeHead(reply.status ?? 200, { 'content-type': 'text/xml' });
      response.end(reply.xml);
      return;
    }
    if ('json' in reply) {
      response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      const text = reply.jsonText ?? JSON.stringify(reply.json);
      if (reply.stallAfterBytes === undefined) response.end(text);
      else response.write(text.slice(0, reply.stallAfterBytes));
      return;
    }
    response.writeHead(reply.status ?? 200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      ...reply.headers,
    });
    const broken = reply.breakAfter;
    if (broken !== undefined) return breakStream(response, reply.sse.map(sseFrameOf), broken);
    // As providers do: the headers leave at once, the first token may come much later.
    response.flushHeaders();
    let sent = 0;
    for (const data of reply.sse) {
      if (response.destroyed || sent === reply.stallAfter) return;
      await sleep(reply.chunkDelayMs ?? 0);
      response.write(sseFrameOf(data));
      sent += 1;
    }
    if (sent !== reply.stallAfter) response.end();
  }

  /** A stream whose connection breaks after `payloads` of its `frames` reached the socket (see `breakAfter`). */
  async function breakStream(
    response: ServerResponse,
    frames: readonly (string | Uint8Array)[],
    broken: { readonly payloads: number; readonly how: 'reset' | 'close' },
  ): Promise<void> {
    const bytes = Buffer.concat(frames.slice(0, broken.payloads).map((frame) => Buffer.from(frame)));
    // Written and handed to the kernel before the break: a destroy would drop bytes still queued.
    await new Promise<void>((resolve) => {
      if (bytes.length === 0) {
        response.flushHeaders();
        setTimeout(resolve, 20);
      } else response.write(bytes, () => resolve());
    });
    if (broken.how === 'reset') response.socket?.resetAndDestroy();
    else response.socket?.destroy();
  }

  function tokenExchange(request: ReceivedRequest): MockReply {
    const assertion = String(request.body?.assertion ?? '');
    const [header = '', claims = '', signature = ''] = assertion.split('.');
    let email = '';
    let ok = false;
    try {
      email = String((JSON.parse(base64url(claims).toString()) as { iss?: unknown }).iss ?? '');
      const publicKey = serviceAccounts.get(email);
      ok =
        publicKey !== undefined &&
        verify('RSA-SHA256', Buffer.from(`${header}.${claims}`), publicKey, base64url(signature));
    } catch {
      ok = false;
    }
    const token = ok ? `ya29.mock-token-${tokenExchanges.length + 1}` : undefined;
    tokenExchanges.push({ email, ok, ...(token ? { token } : {}) });
    if (!ok) {
      return {
        status: 400,
        json: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' },
        delayMs: state.tokenDelayMs,
      };
    }
    return {
      json: { access_token: token, expires_in: 3599, token_type: 'Bearer' },
      delayMs: state.tokenDelayMs,
    };
  }

  /** STS's Query API error answer. */
  function stsError(status: number, code: string, message: string): MockReply {
    const xml = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>${code}</Code>
    <Message>${message}</Message>
  </Error>
  <RequestId>${nextId('req')}</RequestId>
</ErrorResponse>
`;
    return { status, xml, delayMs: state.stsDelayMs };
  }

  /** Why a call signed with SigV4 for `service` in `region` is refused, or `undefined` (AWS's codes). */
  function awsSignatureProblem(
    request: ReceivedRequest,
    region: string,
    service: string,
  ): { code: string; message: string } | undefined {
    const facts = sigV4FactsOf(request.headers);
    const key = facts === undefined ? undefined : awsKeys.get(facts.accessKeyId);
    if (facts === undefined || key === undefined) {
      return {
        code: 'InvalidClientTokenId',
        message: 'The security token included in the request is invalid.',
      };
    }
    if (key.sessionToken !== undefined && request.headers['x-amz-security-token'] !== key.sessionToken) {
      return {
        code: 'InvalidClientTokenId',
        message: 'The security token included in the request is invalid.',
      };
    }
    if (!facts.scope.endsWith(`/${region}/${service}/aws4_request`)) {
      return {
        code: 'SignatureDoesNotMatch',
        message: `Credential should be scoped to a valid region and service '${service}'.`,
      };
    }
    if (checkSigV4(request, key.secretAccessKey) !== undefined) {
      return {
        code: 'SignatureDoesNotMatch',
        message:
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      };
    }
    return undefined;
  }

  function assumeRole(request: ReceivedRequest): MockReply {
    const form = request.body ?? {};
    if (request.method !== 'POST' || form.Action !== 'AssumeRole' || form.Version !== '2011-06-15') {
      return stsError(
        400,
        'InvalidAction',
        'Could not find operation AssumeRole for version NO_VERSION_SPECIFIED',
      );
    }
    const region = /^sts\.([a-z0-9-]+)\.amazonaws\.com/.exec(request.host)?.[1] ?? '';
    const roleArn = String(form.RoleArn ?? '');
    const externalId = typeof form.ExternalId === 'string' ? form.ExternalId : undefined;
    const accessKeyId = sigV4FactsOf(request.headers)?.accessKeyId ?? '';
    const call = { roleArn, ...(externalId === undefined ? {} : { externalId }), accessKeyId };
    const problem = awsSignatureProblem(request, region, 'sts');
    if (problem) {
      assumeRoleCalls.push({ ...call, error: problem.code });
      return stsError(403, problem.code, problem.message);
    }
    const role = assumableRoles.get(roleArn);
    if (role === undefined || role.externalId !== externalId) {
      assumeRoleCalls.push({ ...call, error: 'AccessDenied' });
      return stsError(
        403,
        'AccessDenied',
        `User: arn:aws:iam::111122223333:user/pk-gateway is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    const issued = {
      accessKeyId: `ASIAMOCK${String(assumeRoleCalls.length + 1).padStart(4, '0')}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `FwoGZXIvYXdzE${randomBytes(96).toString('base64')}`,
    };
    awsKeys.set(issued.accessKeyId, issued);
    assumeRoleCalls.push({ ...call, issued });
    const expiration = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const session = String(form.RoleSessionName ?? '');
    const xml = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <Arn>${roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/${session}</Arn>
      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:${session}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${issued.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${issued.secretAccessKey}</SecretAccessKey>
      <SessionToken>${issued.sessionToken}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>${nextId('req')}</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
`;
    return { xml, delayMs: state.stsDelayMs };
  }

  /** Bedrock's 403 to a bearer token that is none of {@link ProviderMock.bedrockApiKeys}, when some are set. */
  function bedrockApiKeyRefusal(request: ReceivedRequest): MockReply | undefined {
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!request.host.startsWith('bedrock-runtime.') || bearer === undefined) return undefined;
    if (bedrockApiKeys.size === 0 || bedrockApiKeys.has(bearer)) return undefined;
    return {
      status: 403,
      headers: {
        'x-amzn-errortype':
          'UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/',
      },
      json: { message: 'The security token included in the request is invalid.' },
    };
  }

  function defaultReply(request: ReceivedRequest): MockReply {
    const { path, model, body } = request;
    const route = path.split('?')[0] ?? '';
    if (request.host.startsWith('oauth2.googleapis.com') && route === '/token') return tokenExchange(request);
    if (request.host.startsWith('sts.') && route === '/') return assumeRole(request);
    const awsKeyId = request.host.startsWith('bedrock-runtime.')
      ? sigV4FactsOf(request.headers)?.accessKeyId
      : undefined;
    if (awsKeyId !== undefined && awsKeys.has(awsKeyId)) {
      const region = /^bedrock-runtime\.([a-z0-9-]+)\./.exec(request.host)?.[1] ?? '';
      const problem = awsSignatureProblem(request, region, 'bedrock');
      if (problem) {
        // Bedrock's own error shape: the type in `x-amzn-errortype`, `{"message"}` in the body.
        const type =
          problem.code === 'SignatureDoesNotMatch'
            ? 'InvalidSignatureException'
            : 'UnrecognizedClientException';
        return {
          status: 403,
          headers: {
            'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.coral.service/`,
          },
          json: { message: problem.message },
        };
      }
    }
    const bearer = request.headers.authorization?.replace(/^Bearer /, '');
    if (request.host.includes('aiplatform') && bearer !== undefined && revokedTokens.has(bearer)) {
      // Google's answer to an access token it no longer accepts.
      return {
        status: 401,
        json: {
          error: {
            code: 401,
            message:
              'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
            status: 'UNAUTHENTICATED',
          },
        },
      };
    }
    const failure = /^fail-(\d{3})$/.exec(model);
    if (failure) {
      const status = Number(failure[1]);
      return { status, json: openAIError(status, `scripted ${status}`) };
    }
    const delayMs = Number(/^slow-(\d+)$/.exec(model)?.[1] ?? 0);
    if (route.endsWith(':generateContent')) return { json: geminiAnswer() };
    if (route.endsWith('/converse')) return { json: converseAnswer() };
    if (route.endsWith('/v1/messages')) return { json: anthropicMessage(model), delayMs };
    if (route.endsWith('/chat/completions')) {
      // OpenAI's reasoning models (o1, o3, o4-mini …, gpt-5) refuse the older cap field, as OpenAI does.
      if (/^(o\d|gpt-5)/.test(model) && body?.max_tokens !== undefined) {
        return { status: 400, json: UNSUPPORTED_MAX_TOKENS };
      }
      if (body?.stream === true) {
        const usage =
          (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
        return { sse: chatChunks(model, { usage }), delayMs };
      }
      return { json: chatCompletion(model), delayMs };
    }
    if (route.endsWith('/embeddings')) {
      const input = String(body?.input ?? '');
      return {
        json: {
          object: 'list',
          data: [{ object: 'embedding', index: 0, embedding: embeddings.get(input) ?? [0, 0, 0, 1] }],
          model,
          usage: { prompt_tokens: 8, total_tokens: 8 },
        },
      };
    }
    if (route.endsWith('/completions')) {
      return {
        json: {
          id: nextId('cmpl'),
          object: 'text_completion',
          created: CREATED,
          model,
          choices: [{ text: ' Paris.', index: 0, logprobs: null, finish_reason: 'stop' }],
          usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
        },
      };
    }
    if (route.endsWith('/models')) {
      return {
        json: {
          object: 'list',
          data: [{ id: 'gpt-4o-mini', object: 'model', created: CREATED, owned_by: 'openai' }],
        },
      };
    }
    // Pass-through routes (images, audio, files …): an echo of what arrived.
    return {
      json: {
        object: 'echo',
        method: request.method,
        path,
        content_type: request.headers['content-type'] ?? null,
        bytes: request.raw.length,
      },
    };
  }

  async function handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const body = parseBody(raw, incoming.headers['content-type']);
    const request: ReceivedRequest = {
      host: incoming.headers.host ?? '',
      method: incoming.method ?? 'GET',
      path: incoming.url ?? '/',
      headers: incoming.headers,
      body,
      raw,
      model: typeof body?.model === 'string' ? body.model : modelInPath(incoming.url ?? '/'),
    };
    received.push(request);
    const index = counts.get(request.model) ?? 0;
    counts.set(request.model, index + 1);
    const refused = bedrockApiKeyRefusal(request);
    const scripted = refused === undefined ? scripts.get(request.model)?.(request, index) : undefined;
    await send(response, refused ?? scripted ?? defaultReply(request));
  }

  const onRequest = (incoming: IncomingMessage, response: ServerResponse): void => {
    handle(incoming, response).catch(() => response.destroy());
  };
  const server = createServer(onRequest);
  const tlsServer = createHttpsServer(
    { key: fixture('feature-upstreams.key.pem'), cert: fixture('feature-upstreams.cert.pem') },
    onRequest,
  );
  const proxy = createServer((_request, response) => {
    response.writeHead(405);
    response.end();
  });
  proxy.on('connect', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const host = (request.url ?? '').replace(/:443$/, '');
    if (!INTERCEPTED_HOSTS.includes(host)) {
      // Never a real connection: a name the test certificate does not cover is refused.
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    tlsServer.emit('connection', socket);
  });
  for (const listener of [server, proxy]) {
    listener.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const portOf = (listener: typeof server) => (listener.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${portOf(server)}`,
    proxyUrl: `http://127.0.0.1:${portOf(proxy)}`,
    received,
    forModel: (model) => received.filter((request) => request.model === model),
    script(model, replies) {
      scripts.set(
        model,
        typeof replies === 'function'
          ? replies
          : (_request, index) => replies[Math.min(index, replies.length - 1)],
      );
    },
    embeddings,
    serviceAccounts,
    get tokenDelayMs() {
      return state.tokenDelayMs;
    },
    set tokenDelayMs(value: number) {
      state.tokenDelayMs = value;
    },
    tokenExchanges,
    revokedTokens,
    awsKeys,
    bedrockApiKeys,
    assumableRoles,
    assumeRoleCalls,
    get stsDelayMs() {
      return state.stsDelayMs;
    },
    set stsDelayMs(value: number) {
      state.stsDelayMs = value;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all(
        [server, proxy].map((listener) => new Promise<void>((resolve) => listener.close(() => resolve()))),
      );
    },
  };
}
