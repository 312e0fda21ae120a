import type { ConfigOption, RequestHeaderOptions } from '@pk/headers';
import type { ClientOptions } from 'openai';

/** `T` without its index signature: only the keys it names. */
type KnownKeys<T> = { [K in keyof T as string extends K ? never : K]: T[K] };

/**
 * The options pk sends as `x-portkey-*` headers that matter most, with their meaning. Every one may
 * be given to the constructor, to `withOptions`, or as the second argument of `create` (that call
 * only). `null`, `undefined`, blank strings, `[]` and `{}` send nothing.
 */
export interface PortkeyCoreOptions {
  /** The gateway key (`x-portkey-api-key`). Default: `process.env.PORTKEY_API_KEY`. */
  apiKey?: string | null | undefined;
  /** A stored provider + credential, by id (`x-portkey-virtual-key`). */
  virtualKey?: string | null | undefined;
  /**
   * A routing config (`x-portkey-config`): an object, typed and validated on the client with the
   * gateway's own rules and error messages, or a saved config's id (`pc-…`).
   */
  config?: ConfigOption | null | undefined;
  /** A provider id (`openai`, `anthropic` …) or `@virtual-key-id` (`x-portkey-provider`). */
  provider?: string | null | undefined;
  /**
   * The provider's key in provider + Authorization mode, sent as `authorization` exactly as given
   * (`Bearer sk-…` or a raw key). Without it, `Authorization` carries `Bearer <apiKey>`, or nothing.
   */
  Authorization?: string | null | undefined;
  /** A self-hosted or private provider endpoint (`x-portkey-custom-host`). */
  customHost?: string | null | undefined;
  /** Groups requests (`x-portkey-trace-id`); the gateway generates one when absent. */
  traceId?: string | null | undefined;
  /** The official SDK's spelling of {@link traceId}; both may be given only with one value. */
  traceID?: string | null | undefined;
  /**
   * Log metadata (`x-portkey-metadata`), JSON object ≤ 2 KiB; `_user` names the user. Also the JSON
   * text of an object (`'{"team":"a"}'`), sent as it is, as the official SDK does.
   */
  metadata?: Readonly<Record<string, unknown>> | string | null | undefined;
  /** Skip the cached answer, call the provider and store the new answer. */
  cacheForceRefresh?: boolean | null | undefined;
  /** Partitions the cache by this string. */
  cacheNamespace?: string | null | undefined;
  /** Per-attempt timeout in **milliseconds** (`x-portkey-request-timeout`), enforced by the gateway. */
  requestTimeout?: number | null | undefined;
  /** Names of headers of this request that the gateway sends to the provider unchanged. */
  forwardHeaders?: readonly string[] | null | undefined;
  /** `false` (pk's default, as the official SDK's) lets providers return non-OpenAI extras. */
  strictOpenAiCompliance?: boolean | null | undefined;
  /** `x-portkey-debug`. */
  debug?: boolean | null | undefined;
}

/** Header options pk computes itself: a user value would misreport the client. */
type ComputedHeaderOptions = 'packageVersion' | 'runtime' | 'runtimeVersion' | 'audioFileDuration';

/**
 * Provider options sent as headers: Azure (`azureResourceName`, `azureDeploymentId`,
 * `azureApiVersion`, `azureModelName`, `azureAdToken` …), Vertex (`vertexProjectId`, `vertexRegion`,
 * `vertexServiceAccountJson` …), AWS Bedrock (`awsAccessKeyId`, `awsSecretAccessKey`,
 * `awsSessionToken`, `awsRegion` …), `anthropicVersion`, `openaiProject` and the rest of
 * `@pk/headers`' catalogue.
 */
export type PortkeyProviderOptions = Omit<
  KnownKeys<RequestHeaderOptions>,
  keyof PortkeyCoreOptions | ComputedHeaderOptions
>;

/** Every option pk sends as a header. */
export type PortkeyOptions = PortkeyCoreOptions & PortkeyProviderOptions;

/** openai client options that pass through unchanged. */
export type OpenAIPassThroughOptions = Pick<
  ClientOptions,
  | 'timeout'
  | 'maxRetries'
  | 'fetch'
  | 'fetchOptions'
  | 'defaultHeaders'
  | 'defaultQuery'
  | 'logLevel'
  | 'logger'
>;

/** Options of `new Portkey(options)` and `client.withOptions(options)`. */
export interface PortkeyClientOptions
  extends PortkeyCoreOptions,
    PortkeyProviderOptions,
    OpenAIPassThroughOptions {
  /**
   * The gateway's URL, `/v1` included. Default: `process.env.PORTKEY_BASE_URL`, else
   * `http://localhost:8787/v1` (a pk gateway on this machine).
   */
  baseURL?: string | null | undefined;
  /** Accepted for compatibility with the official SDK; pk computes no audio duration. Never sent. */
  calculateAudioDuration?: boolean | null | undefined;
}

/**
 * The second argument of `create`: Portkey options for this call only (the client is not changed),
 * and the openai request options (`signal`, `headers`, `timeout`, `maxRetries` …).
 */
export type PortkeyCallOptions = PortkeyOptions & OpenAIRequestOptions;

/** openai's per-request options (`signal`, `headers`, `timeout`, `maxRetries`, `idempotencyKey` …). */
export type OpenAIRequestOptions = NonNullable<Parameters<import('openai').OpenAI['models']['list']>[0]>;
