import type { DeepReadonly, ProviderOptions, ReadonlyConfig } from '@pk/config';
import type { Transport } from '@pk/providers';

/**
 * A virtual key given in code: a provider and its credential, plus provider options in the config's
 * snake_case (`custom_host`, `resource_name`, `deployment_id`, `api_version`, `aws_region` …).
 */
export type InProcessVirtualKey = {
  /** Provider id: `openai`, `anthropic`, `azure-openai`, `groq` … */
  readonly provider: string;
  /** The provider's API key (optional for keyless providers such as a local Ollama). */
  readonly api_key?: string;
  /** The provider's base URL, when it is not the provider's own. */
  readonly custom_host?: string;
} & DeepReadonly<ProviderOptions>;

/** What in-process mode needs, given in code instead of a gateway's settings file. */
export interface InProcessSetup {
  /** Virtual keys by id (`virtualKey: 'openai-prod'`, `@openai-prod/gpt-4o`, config `virtual_key`). */
  readonly virtualKeys?: Readonly<Record<string, InProcessVirtualKey>>;
  /**
   * Saved configs by id (`config: 'pc-prod-fallback'`), validated when the runtime is created;
   * readonly configs (`as const`) are taken too.
   */
  readonly configs?: Readonly<Record<string, ReadonlyConfig>>;
  /**
   * The simple (exact-match) response cache for configs with `cache: { mode: 'simple' }`: its bound
   * in bytes (default 64 MiB), or `false` to turn it off. Semantic cache is a gateway feature.
   */
  readonly cache?: { readonly maxBytes?: number } | false;
  /** The network port (default: `@pk/providers`' undici transport, honouring `HTTPS_PROXY`/`NO_PROXY`). */
  readonly transport?: Transport;
}

/** Created once, shared by every client given it: the cache, breakers and connection pool live here. */
export interface InProcessRuntime {
  /** The `fetch` the openai client calls: runs routing and providers, answers like a pk gateway. */
  readonly fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** Closes pooled upstream connections. */
  close(): Promise<void>;
}
