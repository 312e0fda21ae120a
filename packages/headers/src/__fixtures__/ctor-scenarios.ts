import type { ProviderKey } from '../provider-key.js';
import type { RequestHeaderOptions, RequestOptions } from '../request-options.js';

/** A header as the official SDK sent it, or as pk sends it: `[name, value]`. */
export type WireHeader = readonly [name: string, value: string];

/** Where pk's headers differ from the official SDK's for a scenario, and why. */
export interface WireDifference {
  /** What the official SDK sent (absent: it sent nothing). */
  readonly official?: WireHeader;
  /** What pk sends instead (absent: nothing). */
  readonly pk?: WireHeader;
  readonly reason: string;
}

/** One `ctor: …` scenario of the recordings. */
export interface CtorScenario {
  /** The recording's label without `ctor: `. */
  readonly label: string;
  /** The constructor options (besides `apiKey`/`baseURL`), reconstructed from the recorded wire. */
  readonly options: RequestHeaderOptions;
  /** Constructor options the SDK consumes itself and never sends; @pk/sdk must strip them too. */
  readonly clientOnly?: Readonly<Record<string, unknown>>;
  /** What `parseRequestHeaders` reads from the recorded request besides {@link SDK_SENT}; default `options`. */
  readonly parses?: RequestOptions;
  /** `x-portkey-*` names of the recorded request that pk does not know. */
  readonly unrecognized?: readonly string[];
  /** The provider key the gateway would use. */
  readonly providerKey?: ProviderKey;
  readonly differences?: readonly WireDifference[];
}

/**
 * What the official SDK sends on every one of these requests besides the user's options: the key
 * all scenarios were constructed with, its telemetry, and its `strictOpenAiCompliance` default
 * (`false`). pk's builder adds no defaults; @pk/sdk decides its own.
 */
export const SDK_SENT = {
  apiKey: 'pk-test-123',
  packageVersion: 'portkey-3.1.0',
  runtime: 'node',
  runtimeVersion: 'v20.20.2',
  strictOpenAiCompliance: false,
} as const satisfies RequestOptions;

const ZERO_IS_EMPTY = 'official SDK defect (wire contract §10.11): `v || ""` sends 0 as an empty header';
const FORWARD_UNPREFIXED =
  'official SDK defect (wire contract §10.10): an option named in forwardHeaders loses its x-portkey- prefix, ' +
  'so a pk option can leak to the provider as a bare header; pk keeps the prefix';

/** Every `ctor:` scenario of the recordings, in recording order. */
export const CTOR_SCENARIOS: readonly CtorScenario[] = [
  { label: 'virtualKey', options: { virtualKey: 'openai-vk-123' } },
  {
    label: 'config object',
    options: {
      config: {
        retry: { attempts: 3 },
        cache: { mode: 'simple' },
        targets: [{ virtual_key: 'a' }, { virtual_key: 'b' }],
        strategy: { mode: 'fallback' },
      },
    },
  },
  { label: 'config id string', options: { config: 'pc-abc-123' } },
  {
    label: 'provider + Authorization (raw)',
    options: { provider: 'openai', Authorization: 'sk-openai-raw' },
    providerKey: { key: 'sk-openai-raw', header: 'authorization' },
  },
  {
    label: 'provider + Authorization (Bearer)',
    options: { provider: 'openai', Authorization: 'Bearer sk-openai-bearer' },
    providerKey: { key: 'sk-openai-bearer', header: 'authorization' },
  },
  { label: 'provider @slug (model catalog)', options: { provider: '@openai-prod' } },
  {
    label: 'customHost',
    options: { provider: 'openai', Authorization: 'Bearer x', customHost: 'http://127.0.0.1:9999/v1' },
    providerKey: { key: 'x', header: 'authorization' },
  },
  { label: 'traceID', options: { traceID: 'trace-ID-style' }, parses: { traceId: 'trace-ID-style' } },
  { label: 'traceId (camel, via rest)', options: { traceId: 'trace-Id-style' } },
  {
    label: 'metadata with _user',
    options: { metadata: { _user: 'user-42', environment: 'prod', nested: { a: 1 }, num: 7 } },
  },
  { label: 'cacheForceRefresh true', options: { cacheForceRefresh: true } },
  { label: 'cacheForceRefresh false', options: { cacheForceRefresh: false } },
  { label: 'cacheNamespace', options: { cacheNamespace: 'ns-1' } },
  { label: 'requestTimeout', options: { requestTimeout: 3000 } },
  {
    label: 'forwardHeaders',
    options: {
      forwardHeaders: ['X-Custom-Header', 'Authorization', 'userID', 'anotherThing'],
      userID: 'u-1',
      anotherThing: 'at-1',
    },
    parses: { forwardHeaders: ['X-Custom-Header', 'Authorization', 'userID', 'anotherThing'] },
    differences: [
      { official: ['user-id', 'u-1'], pk: ['x-portkey-user-id', 'u-1'], reason: FORWARD_UNPREFIXED },
      {
        official: ['another-thing', 'at-1'],
        pk: ['x-portkey-another-thing', 'at-1'],
        reason: FORWARD_UNPREFIXED,
      },
    ],
  },
  { label: 'debug false', options: { debug: false } },
  { label: 'debug true', options: { debug: true } },
  { label: 'strictOpenAiCompliance true', options: { strictOpenAiCompliance: true } },
  { label: 'openai project/org', options: { openaiProject: 'proj_1', openaiOrganization: 'org_1' } },
  {
    label: 'azure (typed options)',
    options: {
      provider: 'azure-openai',
      azureResourceName: 'res',
      azureDeploymentId: 'dep',
      azureApiVersion: '2024-02-01',
      azureEndpointName: 'ep',
      azureModelName: 'gpt-4o',
      azureAuthMode: 'entra',
      azureAdToken: 'ad-token',
      azureManagedClientId: 'mci',
      azureEntraClientId: 'eci',
      azureEntraClientSecret: 'ecs',
      azureEntraTenantId: 'eti',
    },
  },
  {
    // Sent like any unknown option; no gateway reads these names (they are not azure-*).
    label: 'azure (python-style short names, via rest)',
    options: {
      provider: 'azure-openai',
      resourceName: 'res2',
      deploymentId: 'dep2',
      apiVersion: '2024-06-01',
    },
    parses: { provider: 'azure-openai' },
    unrecognized: ['x-portkey-resource-name', 'x-portkey-deployment-id', 'x-portkey-api-version'],
  },
  {
    label: 'vertex',
    options: {
      provider: 'vertex-ai',
      vertexProjectId: 'proj',
      vertexRegion: 'us-central1',
      vertexStorageBucketName: 'bucket',
      vertexServiceAccountJson: { type: 'service_account', project_id: 'proj' },
      vertexModelName: 'gemini',
    },
  },
  {
    label: 'bedrock',
    options: {
      provider: 'bedrock',
      awsSecretAccessKey: 'secret',
      awsAccessKeyId: 'AKIA',
      awsSessionToken: 'tok',
      awsRegion: 'us-east-1',
      awsS3Bucket: 'b',
      awsS3ObjectKey: 'k',
      awsBedrockModel: 'm',
      awsRoleArn: 'arn:aws:iam::1:role/x',
      awsAuthType: 'assumedRole',
      awsExternalId: 'ext',
    },
  },
  {
    label: 'misc provider options',
    options: {
      workersAiAccountId: 'cf',
      huggingfaceBaseUrl: 'http://hf',
      anthropicVersion: '2023-06-01',
      // The official SDK types this option as a string.
      mistralFimCompletion: 'true',
      anthropicBeta: 'beta-1',
      providerFileName: 'f',
      providerModel: 'pm',
      fireworksAccountId: 'fw',
    },
    parses: {
      workersAiAccountId: 'cf',
      huggingfaceBaseUrl: 'http://hf',
      anthropicVersion: '2023-06-01',
      mistralFimCompletion: true,
      anthropicBeta: 'beta-1',
      providerFileName: 'f',
      providerModel: 'pm',
      fireworksAccountId: 'fw',
    },
  },
  {
    label: 'dangerouslyAllowBrowser + calculateAudioDuration',
    options: { dangerouslyAllowBrowser: true },
    clientOnly: { calculateAudioDuration: false },
  },
  {
    label: 'empty values dropped',
    options: { virtualKey: '', metadata: {}, forwardHeaders: [], config: null, traceID: undefined },
    parses: {},
  },
  {
    label: 'unknown extra keys (rest)',
    options: { someCustomThing: 'v', fooID: 'f', objThing: { a: 1 }, numThing: 0, boolThing: false },
    parses: {},
    unrecognized: [
      'x-portkey-some-custom-thing',
      'x-portkey-foo-id',
      'x-portkey-obj-thing',
      'x-portkey-num-thing',
      'x-portkey-bool-thing',
    ],
    differences: [
      { official: ['x-portkey-num-thing', ''], pk: ['x-portkey-num-thing', '0'], reason: ZERO_IS_EMPTY },
    ],
  },
];
