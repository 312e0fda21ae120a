import type { SupportedProviderId } from '../registry/registry.js';
import type { WireFormat } from './fixtures.js';

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
  /** Auth header name and the value it must carry. */
  readonly auth: readonly [string, string];
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
} as const satisfies Record<
  Extract<SupportedProviderId, 'openai' | 'groq' | 'azure-openai' | 'anthropic'>,
  MatrixTarget
>;

/** Fixture folder path as `readJsonFixture` wants it (`openai-compatible/groq` → folder + sub-path). */
export function fixturePath(target: MatrixTarget, name: string): { folder: string; name: string } {
  const [folder, sub] = target.fixtures.split('/');
  return sub === undefined
    ? { folder: target.fixtures, name }
    : { folder: folder ?? '', name: `${sub}/${name}` };
}
