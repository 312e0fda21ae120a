import type { MockWireFormat } from '../support/provider-mock.js';

/** The client dialects of the matrix, each driven by its official SDK. */
export const DIALECTS = [
  { id: 'chat', label: 'Chat Completions', sdk: 'openai', file: 'chat.test.ts' },
  { id: 'messages', label: 'Anthropic Messages', sdk: '@anthropic-ai/sdk', file: 'messages.test.ts' },
  { id: 'responses', label: 'OpenAI Responses', sdk: 'openai', file: 'responses.test.ts' },
] as const;

/** A client dialect id. */
export type DialectId = (typeof DIALECTS)[number]['id'];

/** The features of the matrix, in README order. */
export const FEATURES = [
  { id: 'text', label: 'text' },
  { id: 'stream', label: 'stream' },
  { id: 'tools', label: 'tools (call and result round trip)' },
  { id: 'streamedTools', label: 'streamed tool calls' },
  { id: 'images', label: 'images' },
  { id: 'jsonMode', label: 'JSON mode' },
  { id: 'usage', label: 'usage (JSON and stream)' },
] as const;

/** A feature id. */
export type FeatureId = (typeof FEATURES)[number]['id'];

/** The AWS credentials of the Bedrock targets (the mock checks the signature's presence). */
const AWS = {
  aws_access_key_id: 'AKIDCONFORMANCE',
  aws_secret_access_key: 'conformance-secret',
  aws_region: 'us-east-1',
};

/** One provider family: how a config reaches it on the mock, and what it must receive. */
export interface Family {
  readonly id: string;
  readonly label: string;
  readonly model: string;
  /** The config target (`x-portkey-config`) pointing at the mock. */
  target(mockUrl: string): Record<string, unknown>;
  /** The wire format the provider is called in, for each client dialect (native or translated). */
  readonly formats: Readonly<Record<DialectId, MockWireFormat>>;
  /** The auth header the provider must receive and a check of its value. */
  readonly auth: readonly [string, (value: string) => boolean];
}

const all = (format: MockWireFormat): Record<DialectId, MockWireFormat> => ({
  chat: format,
  messages: format,
  responses: format,
});

/** The provider families of the matrix: every adapter, and both routes of Vertex AI and Bedrock. */
export const FAMILIES: readonly Family[] = [
  {
    id: 'openai',
    label: 'OpenAI',
    model: 'gpt-4o',
    target: (url) => ({ provider: 'openai', api_key: 'sk-conformance', custom_host: `${url}/v1` }),
    formats: { chat: 'openai-chat', messages: 'openai-chat', responses: 'openai-responses' },
    auth: ['authorization', (value) => value === 'Bearer sk-conformance'],
  },
  {
    id: 'azure-openai',
    label: 'Azure OpenAI',
    model: 'gpt-4o',
    target: (url) => ({
      provider: 'azure-openai',
      api_key: 'azure-conformance',
      custom_host: url,
      deployment_id: 'gpt-4o',
      api_version: '2025-04-01-preview',
    }),
    formats: { chat: 'openai-chat', messages: 'openai-chat', responses: 'openai-responses' },
    auth: ['api-key', (value) => value === 'azure-conformance'],
  },
  {
    id: 'groq',
    label: 'OpenAI-compatible (groq)',
    model: 'llama-3.3-70b-versatile',
    target: (url) => ({ provider: 'groq', api_key: 'gsk-conformance', custom_host: `${url}/openai/v1` }),
    formats: all('openai-chat'),
    auth: ['authorization', (value) => value === 'Bearer gsk-conformance'],
  },
  {
    id: 'anthropic',
    label: 'Anthropic',
    model: 'claude-sonnet-4-20250514',
    target: (url) => ({ provider: 'anthropic', api_key: 'sk-ant-conformance', custom_host: `${url}/v1` }),
    formats: all('anthropic'),
    auth: ['x-api-key', (value) => value === 'sk-ant-conformance'],
  },
  {
    id: 'google',
    label: 'Gemini',
    model: 'gemini-2.0-flash',
    target: (url) => ({ provider: 'google', api_key: 'g-conformance', custom_host: `${url}/v1beta` }),
    formats: all('gemini'),
    auth: ['x-goog-api-key', (value) => value === 'g-conformance'],
  },
  {
    id: 'vertex-gemini',
    label: 'Vertex AI (Gemini)',
    model: 'gemini-2.0-flash',
    target: (url) => ({
      provider: 'vertex-ai',
      api_key: 'ya29.conformance',
      custom_host: `${url}/v1`,
      vertex_project_id: 'conformance-project',
      vertex_region: 'us-central1',
    }),
    formats: all('gemini'),
    auth: ['authorization', (value) => value === 'Bearer ya29.conformance'],
  },
  {
    id: 'vertex-claude',
    label: 'Vertex AI (Claude)',
    model: 'claude-sonnet-4@20250514',
    target: (url) => ({
      provider: 'vertex-ai',
      api_key: 'ya29.conformance',
      custom_host: `${url}/v1`,
      vertex_project_id: 'conformance-project',
      vertex_region: 'us-east5',
    }),
    formats: all('anthropic'),
    auth: ['authorization', (value) => value === 'Bearer ya29.conformance'],
  },
  {
    id: 'bedrock-converse',
    label: 'Bedrock (Converse)',
    model: 'amazon.nova-pro-v1:0',
    target: (url) => ({ provider: 'bedrock', custom_host: url, ...AWS }),
    formats: all('bedrock-converse'),
    auth: ['authorization', (value) => value.startsWith('AWS4-HMAC-SHA256 Credential=AKIDCONFORMANCE/')],
  },
  {
    id: 'bedrock-claude',
    label: 'Bedrock (Claude)',
    model: 'anthropic.claude-3-5-sonnet-20241022-v2:0',
    target: (url) => ({ provider: 'bedrock', custom_host: url, ...AWS }),
    formats: { chat: 'bedrock-converse', messages: 'bedrock-claude', responses: 'bedrock-converse' },
    auth: ['authorization', (value) => value.startsWith('AWS4-HMAC-SHA256 Credential=AKIDCONFORMANCE/')],
  },
  {
    id: 'cohere',
    label: 'Cohere',
    model: 'command-a-03-2025',
    target: (url) => ({ provider: 'cohere', api_key: 'co-conformance', custom_host: `${url}/v2` }),
    formats: all('cohere'),
    auth: ['authorization', (value) => value === 'Bearer co-conformance'],
  },
];

/** Whether a dialect reaches a family natively (its own API) rather than through chat completions. */
export function isNative(dialect: DialectId, family: Family): boolean {
  const format = family.formats[dialect];
  if (dialect === 'chat') return format === 'openai-chat';
  if (dialect === 'messages') return format === 'anthropic' || format === 'bedrock-claude';
  return format === 'openai-responses';
}
