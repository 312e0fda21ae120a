import type { SupportedProviderId } from '../registry/registry.js';
import type { WireFormat } from './fixtures.js';
import type { RecordedRequest } from './mock-upstream.js';
import { verifySigV4Request } from './sigv4-verify.js';

/** The AWS credentials of the Bedrock matrix target; the mock verifies every signature with them. */
export const MATRIX_AWS_CREDENTIALS = {
  accessKeyId: 'AKIDMATRIX',
  secretAccessKey: 'matrix-secret-key',
} as const;

/** How one matrix provider is reached on the mock upstream and which fixtures it answers with. */
export interface MatrixTarget {
  /** Fixture folder under `src/`. */
  readonly fixtures: string;
  /** Wire format the mock speaks. */
  readonly format: WireFormat;
  /** The target record pointing at the mock's origin. */
  target(origin: string): Record<string, unknown>;
  /** Path (and query) the chat request must arrive at. */
  readonly chatPath: string;
  /** Path of a streamed chat request, when it differs. */
  readonly streamPath?: string;
  /** Auth header name and the value it must carry. */
  readonly auth?: readonly [string, string];
  /** A check the mock runs on every request (a SigV4 signature): why it fails, or `undefined`. */
  readonly verify?: (request: RecordedRequest) => string | undefined;
  /** Error fixture and its status. */
  readonly error: {
    readonly fixture: string;
    readonly status: number;
    readonly headers: Record<string, string>;
  };
  /** Fixture for the JSON-mode answer. */
  readonly jsonModeFixture: string;
}

/** The matrix targets, by provider. */
export const MATRIX_TARGETS = {
  openai: {
    fixtures: 'openai',
    format: 'openai',
    target: (origin) => ({ provider: 'openai', api_key: 'sk-test', custom_host: `${origin}/v1` }),
    chatPath: '/v1/chat/completions',
    auth: ['authorization', 'Bearer sk-test'],
    error: { fixture: 'error-429-rate-limit.json', status: 429, headers: { 'retry-after-ms': '1420' } },
    jsonModeFixture: 'json-mode.json',
  },
  groq: {
    fixtures: 'openai-compatible/groq',
    format: 'openai',
    target: (origin) => ({ provider: 'groq', api_key: 'gsk-test', custom_host: `${origin}/openai/v1` }),
    chatPath: '/openai/v1/chat/completions',
    auth: ['authorization', 'Bearer gsk-test'],
    error: { fixture: 'error-429-rate-limit.json', status: 429, headers: { 'retry-after': '6' } },
    jsonModeFixture: 'json-mode.json',
  },
  'azure-openai': {
    fixtures: 'azure-openai',
    format: 'openai',
    target: (origin) => ({
      provider: 'azure-openai',
      api_key: 'azure-key',
      custom_host: origin,
      deployment_id: 'gpt-4o',
      api_version: '2024-10-21',
    }),
    chatPath: '/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21',
    auth: ['api-key', 'azure-key'],
    error: { fixture: 'error-429-rate-limit.json', status: 429, headers: { 'retry-after': '6' } },
    jsonModeFixture: 'json-mode.json',
  },
  anthropic: {
    fixtures: 'anthropic',
    format: 'anthropic',
    target: (origin) => ({ provider: 'anthropic', api_key: 'sk-ant-test', custom_host: `${origin}/v1` }),
    chatPath: '/v1/messages',
    auth: ['x-api-key', 'sk-ant-test'],
    error: { fixture: 'error-529-overloaded.json', status: 529, headers: {} },
    jsonModeFixture: 'json-mode.json',
  },
  cohere: {
    fixtures: 'cohere',
    format: 'cohere',
    target: (origin) => ({ provider: 'cohere', api_key: 'co-test', custom_host: `${origin}/v2` }),
    chatPath: '/v2/chat',
    auth: ['authorization', 'Bearer co-test'],
    error: { fixture: 'error-429-rate-limit.json', status: 429, headers: {} },
    jsonModeFixture: 'json-mode.json',
  },
  google: {
    fixtures: 'google',
    format: 'google',
    target: (origin) => ({ provider: 'google', api_key: 'g-test', custom_host: `${origin}/v1beta` }),
    chatPath: '/v1beta/models/test-model:generateContent',
    streamPath: '/v1beta/models/test-model:streamGenerateContent?alt=sse',
    auth: ['x-goog-api-key', 'g-test'],
    error: { fixture: 'error-429-resource-exhausted.json', status: 429, headers: {} },
    jsonModeFixture: 'json-mode.json',
  },
  'vertex-ai': {
    fixtures: 'google',
    format: 'google',
    target: (origin) => ({
      provider: 'vertex-ai',
      api_key: 'ya29.matrix',
      custom_host: `${origin}/v1`,
      vertex_project_id: 'matrix-project',
      vertex_region: 'europe-west4',
    }),
    chatPath:
      '/v1/projects/matrix-project/locations/europe-west4/publishers/google/models/test-model:generateContent',
    streamPath:
      '/v1/projects/matrix-project/locations/europe-west4/publishers/google/models/test-model:streamGenerateContent?alt=sse',
    auth: ['authorization', 'Bearer ya29.matrix'],
    error: { fixture: 'error-429-resource-exhausted.json', status: 429, headers: {} },
    jsonModeFixture: 'json-mode.json',
  },
  bedrock: {
    fixtures: 'bedrock',
    format: 'bedrock',
    target: (origin) => ({
      provider: 'bedrock',
      custom_host: origin,
      aws_region: 'us-west-2',
      aws_access_key_id: MATRIX_AWS_CREDENTIALS.accessKeyId,
      aws_secret_access_key: MATRIX_AWS_CREDENTIALS.secretAccessKey,
      aws_session_token: 'matrix-session-token',
    }),
    chatPath: '/model/test-model/converse',
    streamPath: '/model/test-model/converse-stream',
    verify: (request) =>
      request.headers['x-amz-security-token'] !== 'matrix-session-token'
        ? 'missing session token'
        : verifySigV4Request(request, MATRIX_AWS_CREDENTIALS),
    error: {
      fixture: 'error-429-throttling.json',
      status: 429,
      headers: {
        'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
      },
    },
    jsonModeFixture: 'json-mode.json',
  },
} as const satisfies Record<
  Extract<
    SupportedProviderId,
    'openai' | 'groq' | 'azure-openai' | 'anthropic' | 'cohere' | 'google' | 'vertex-ai' | 'bedrock'
  >,
  MatrixTarget
>;

/** Fixture folder path as `readJsonFixture` wants it (`openai-compatible/groq` → folder + sub-path). */
export function fixturePath(target: MatrixTarget, name: string): { folder: string; name: string } {
  const [folder, sub] = target.fixtures.split('/');
  return sub === undefined
    ? { folder: target.fixtures, name }
    : { folder: folder ?? '', name: `${sub}/${name}` };
}
