import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  anthropicReply,
  bedrockClaudeReply,
  bedrockConverseReply,
  cohereReply,
  geminiReply,
  MOCK_USAGE,
  type MockAnswer,
  type MockReplyBody,
  openAIChatReply,
  openAIResponsesReply,
} from './provider-mock-formats.js';

/** The wire formats the mock speaks, chosen by the request path. */
export type MockWireFormat =
  | 'openai-chat'
  | 'openai-responses'
  | 'anthropic'
  | 'anthropic-count-tokens'
  | 'gemini'
  | 'bedrock-converse'
  | 'bedrock-claude'
  | 'cohere';

/** A request the mock received. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
  readonly text: string;
  readonly format: MockWireFormat;
  readonly stream: boolean;
}

/** A mock of every provider pk translates to, on one port of 127.0.0.1. */
export interface ProviderMock {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /**
   * Overrides the answer policy (return `undefined` to keep the default); a `status` answer is sent
   * as given, status and JSON body (a vendor's error, or an answer the default policy cannot give).
   */
  answer: ((request: ReceivedRequest) => MockAnswer | MockError | undefined) | undefined;
  /** When set, a streamed answer's connection is destroyed after this many frames (a cut stream). */
  cutStreamAfterFrames: number | undefined;
  close(): Promise<void>;
}

/** An answer sent as given: an HTTP error with the vendor's error body, or a raw vendor answer. */
export interface MockError {
  readonly status: number;
  readonly body: unknown;
}

/** The text of the answer to a request that carries a tool result. */
export const WEATHER_ANSWER = 'It is 15 degrees and foggy in San Francisco.';
/** The text of a plain answer. */
export const HELLO_ANSWER = 'Hello! How can I help you today?';
/** The tool call of a request that offers tools. */
export const WEATHER_CALL = {
  id: 'call_weather_1',
  name: 'get_weather',
  input: { location: 'San Francisco, CA' },
} as const;
/** The JSON of a JSON-mode answer. */
export const PERSON_JSON = { name: 'Ada Lovelace', age: 36 } as const;

/** Which format a path speaks, and whether the path itself says "stream". */
function routeOf(
  url: string,
  body: Record<string, unknown>,
): { format: MockWireFormat; stream: boolean } | undefined {
  const path = url.split('?')[0] ?? '';
  if (path.endsWith(':streamGenerateContent')) return { format: 'gemini', stream: true };
  if (path.endsWith(':generateContent')) return { format: 'gemini', stream: false };
  if (path.endsWith(':streamRawPredict')) return { format: 'anthropic', stream: true };
  if (path.endsWith(':rawPredict')) return { format: 'anthropic', stream: false };
  if (path.endsWith('/converse-stream')) return { format: 'bedrock-converse', stream: true };
  if (path.endsWith('/converse')) return { format: 'bedrock-converse', stream: false };
  if (path.endsWith('/invoke-with-response-stream')) return { format: 'bedrock-claude', stream: true };
  if (path.endsWith('/invoke')) return { format: 'bedrock-claude', stream: false };
  const stream = body.stream === true;
  if (path.endsWith('/v2/chat')) return { format: 'cohere', stream };
  if (path.endsWith('/messages/count_tokens')) return { format: 'anthropic-count-tokens', stream: false };
  if (path.endsWith('/messages')) return { format: 'anthropic', stream };
  if (path.endsWith('/chat/completions')) return { format: 'openai-chat', stream };
  if (path.endsWith('/responses')) return { format: 'openai-responses', stream };
  return undefined;
}

/**
 * What any provider would be asked to answer, from the request text: a tool result gets the weather
 * text; a JSON request (OpenAI `response_format`, Anthropic structured outputs, Gemini
 * `responseMimeType`, or the forced `json_response` tool pk uses for Anthropic and Bedrock) gets
 * {@link PERSON_JSON}; offered tools get {@link WEATHER_CALL}; anything else {@link HELLO_ANSWER}.
 */
export function defaultAnswer(text: string): MockAnswer {
  if (/"tool_result"|"role":"tool"|"functionResponse"|"toolResult"|"function_call_output"/.test(text)) {
    return { kind: 'text', text: WEATHER_ANSWER };
  }
  if (text.includes('"json_response"'))
    return { kind: 'json', value: PERSON_JSON, toolName: 'json_response' };
  if (/"response_format"|"responseMimeType"|"output_config"|"json_schema"/.test(text)) {
    return { kind: 'json', value: PERSON_JSON };
  }
  if (/"tools"|"toolConfig"/.test(text)) return { kind: 'tool', ...WEATHER_CALL };
  return { kind: 'text', text: HELLO_ANSWER };
}

/**
 * Bedrock's own check: Converse refuses messages holding `toolUse` or `toolResult` blocks without a
 * `toolConfig` (400 `ValidationException`, "The toolConfig field must be defined when using toolUse
 * and toolResult content blocks").
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/tool-use-inference-call.html
 */
function bedrockRefusal(request: ReceivedRequest): MockError | undefined {
  if (request.format !== 'bedrock-converse' || request.body.toolConfig !== undefined) return undefined;
  const messages = JSON.stringify(request.body.messages ?? []);
  if (!messages.includes('"toolUse"') && !messages.includes('"toolResult"')) return undefined;
  return {
    status: 400,
    body: {
      message: 'The toolConfig field must be defined when using toolUse and toolResult content blocks.',
    },
  };
}

/** The fields of Gemini's `Schema` object (https://ai.google.dev/api/caching#Schema). */
const GEMINI_SCHEMA_FIELDS = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'anyOf',
  'propertyOrdering',
  'default',
  'items',
  'minimum',
  'maximum',
]);

/** The `format`s the Gemini API (not Vertex AI) takes per type (https://ai.google.dev/api/caching#Schema). */
const GEMINI_API_FORMATS: Record<string, string[]> = {
  STRING: ['enum', 'date-time'],
  NUMBER: ['float', 'double'],
  INTEGER: ['int32', 'int64'],
};

/** The first field of a Gemini schema that Gemini would refuse, with its place, else `undefined`. */
function unknownSchemaField(schema: unknown, place: string, geminiApi: boolean): string | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  const record = schema as Record<string, unknown>;
  if (geminiApi && typeof record.format === 'string') {
    const type = String(record.type).toUpperCase();
    if (!(GEMINI_API_FORMATS[type] ?? []).includes(record.format))
      return `* GenerateContentRequest.${place}.format: only ${(GEMINI_API_FORMATS[type] ?? []).map((format) => `'${format}'`).join(' and ')} are supported for ${type} type`;
  }
  for (const [key, value] of Object.entries(schema)) {
    if (!GEMINI_SCHEMA_FIELDS.has(key)) return `Unknown name "${key}" at '${place}': Cannot find field.`;
    if (key === 'type' && Array.isArray(value))
      return `Invalid value at '${place}.type': Proto field is not repeating, cannot start list.`;
    const inner =
      key === 'properties' && typeof value === 'object' && value !== null
        ? Object.entries(value).map(([name, member]) =>
            unknownSchemaField(member, `${place}.properties[${name}]`, geminiApi),
          )
        : key === 'items'
          ? [unknownSchemaField(value, `${place}.items`, geminiApi)]
          : key === 'anyOf' && Array.isArray(value)
            ? value.map((member, index) => unknownSchemaField(member, `${place}.any_of[${index}]`, geminiApi))
            : [];
    const found = inner.find((message) => message !== undefined);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Gemini's own check: `responseSchema` and function `parameters` take its OpenAPI `Schema` subset
 * only (400 `INVALID_ARGUMENT`, "Unknown name \"const\"", "Proto field is not repeating").
 */
function geminiRefusal(request: ReceivedRequest): MockError | undefined {
  if (request.format !== 'gemini') return undefined;
  const generation = request.body.generationConfig as { responseSchema?: unknown } | undefined;
  const tools = (request.body.tools ?? []) as { functionDeclarations?: { parameters?: unknown }[] }[];
  // Vertex AI's paths name a project; the Gemini API's do not (and it alone refuses most formats).
  const geminiApi = !request.url.includes('/projects/');
  const message =
    unknownSchemaField(generation?.responseSchema, 'generation_config.response_schema', geminiApi) ??
    tools
      .flatMap((tool) => tool.functionDeclarations ?? [])
      .map((declaration, index) =>
        unknownSchemaField(
          declaration.parameters,
          `tools[0].function_declarations[${index}].parameters`,
          geminiApi,
        ),
      )
      .find((found) => found !== undefined);
  if (message === undefined) return undefined;
  return {
    status: 400,
    body: {
      error: {
        code: 400,
        message: message.startsWith('* ') ? message : `Invalid JSON payload received. ${message}`,
        status: 'INVALID_ARGUMENT',
      },
    },
  };
}

function replyFor(request: ReceivedRequest, answer: MockAnswer): MockReplyBody {
  // Gemini and Bedrock name the model in the path.
  const inPath = /\/models?\/([^/:]+)/.exec(request.url.split('?')[0] ?? '')?.[1];
  const model =
    typeof request.body.model === 'string'
      ? request.body.model
      : inPath === undefined
        ? 'mock-model'
        : decodeURIComponent(inPath);
  switch (request.format) {
    case 'openai-chat': {
      const options = request.body.stream_options as { include_usage?: boolean } | undefined;
      return openAIChatReply(answer, model, request.stream, options?.include_usage === true);
    }
    case 'openai-responses':
      return openAIResponsesReply(answer, model, request.stream);
    case 'anthropic':
      return anthropicReply(answer, model, request.stream);
    case 'anthropic-count-tokens':
      return { contentType: 'application/json', body: JSON.stringify({ input_tokens: MOCK_USAGE.input }) };
    case 'gemini':
      return geminiReply(
        answer,
        model,
        request.stream,
        (request.body.generationConfig as { responseLogprobs?: unknown } | undefined)?.responseLogprobs ===
          true,
      );
    case 'bedrock-converse':
      return bedrockConverseReply(answer, request.stream);
    case 'bedrock-claude':
      return bedrockClaudeReply(answer, model, request.stream);
    case 'cohere':
      return cohereReply(answer, request.stream, request.body.logprobs === true);
  }
}

/** Starts the mock on an ephemeral port of 127.0.0.1. */
export async function startProviderMock(): Promise<ProviderMock> {
  const received: ReceivedRequest[] = [];
  const mock: ProviderMock = {
    url: '',
    received,
    answer: undefined,
    cutStreamAfterFrames: undefined,
    close: async () => {},
  };
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
      } catch {
        // recorded as text only
      }
      const url = request.url ?? '/';
      const route = routeOf(url, body);
      if (route === undefined) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({ error: { message: `the mock has no route ${url}`, type: 'not_found' } }),
        );
        return;
      }
      const recorded: ReceivedRequest = {
        method: request.method ?? 'POST',
        url,
        headers: request.headers,
        body,
        text,
        ...route,
      };
      received.push(recorded);
      const chosen =
        mock.answer?.(recorded) ?? bedrockRefusal(recorded) ?? geminiRefusal(recorded) ?? defaultAnswer(text);
      if ('status' in chosen) {
        response.writeHead(chosen.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(chosen.body));
        return;
      }
      const reply = replyFor(recorded, chosen);
      void (async () => {
        response.writeHead(200, { 'content-type': reply.contentType });
        if (reply.body !== undefined) {
          response.end(reply.body);
          return;
        }
        for (const [index, frame] of (reply.frames ?? []).entries()) {
          if (index === mock.cutStreamAfterFrames) {
            response.socket?.destroy();
            return;
          }
          response.write(frame);
          await new Promise((resolve) => setImmediate(resolve));
        }
        response.end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(mock, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return mock;
}
