import type { ProviderCapabilities } from '../spec/provider-adapter.js';

/** What distinguishes one OpenAI-compatible vendor from another. */
export interface OpenAICompatibleConfig {
  /** Provider id (Portkey's). */
  readonly id: string;
  /** Default base URL, before the endpoint path; a target's `custom_host` replaces it. */
  readonly baseUrl: string;
  /** The vendor's OpenAI-compatibility doc page. */
  readonly docsUrl: string;
  /** `required` (default): the vendor needs `api_key`; `optional`: a local server that may run without one. */
  readonly auth?: 'required' | 'optional';
  /** Whether the vendor accepts `stream_options` (default true). */
  readonly acceptsStreamOptions?: boolean;
  /** OpenAI parameter → the vendor's name for it. */
  readonly renameParameters?: Readonly<Record<string, string>>;
  /** OpenAI parameters the vendor rejects: dropped with a warning. */
  readonly dropParameters?: readonly string[];
  /** Features and endpoints that differ from "everything supported". */
  readonly unsupported?: Partial<Record<keyof ProviderCapabilities, string>>;
}
