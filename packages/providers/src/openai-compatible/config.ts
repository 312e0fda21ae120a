import type { ProviderId } from '@pk/config';
import type { ProviderCapabilities } from '../spec/provider-adapter.js';

/**
 * Where a vendor's stream reports token usage:
 * - `stream-options` (OpenAI's way): only when asked with `stream_options.include_usage`, which pk
 *   always sends, in a last chunk with empty `choices` (or on the last content chunk);
 * - `unasked`: the vendor rejects or ignores `stream_options` and puts `usage` on its last chunk(s)
 *   anyway (Mistral, Perplexity), so `stream_options` is not sent;
 * - `in-choice`: the vendor rejects `stream_options` and puts usage inside the last chunk's
 *   `choices[0].usage` (Moonshot); pk lifts it to the chunk's top level, where OpenAI clients read it;
 * - `none`: the vendor's stream carries no usage at all and it rejects `stream_options`.
 */
export type StreamUsage = 'stream-options' | 'unasked' | 'in-choice' | 'none';

/**
 * What a vendor's error bodies look like besides OpenAI's `{"error":{"message","type","code"}}`
 * (which every shape below still falls back to):
 * - `cloudflare`: Cloudflare's v4 envelope `{"success":false,"errors":[{"code","message"}]}`;
 * - `snowflake`: `{"message","code","request_id"}` at the top level;
 * - `fastapi`: `{"detail":"…"}` or a validation list `{"detail":[{"loc","msg","type"}]}`.
 */
export type ErrorBodyShape = 'openai' | 'cloudflare' | 'snowflake' | 'fastapi';

/** A target option that becomes part of the base URL, with the pattern its value must match. */
export interface UrlOption {
  /** The target option (`workers_ai_account_id`). */
  readonly option: string;
  /** Values outside it are refused with a 400 before any call: they come from request headers. */
  readonly pattern: RegExp;
  /** What the value is, for the error message (`a Cloudflare account id`). */
  readonly describe: string;
}

/** A target option whose value is a whole base URL (`azure_foundry_url`, `huggingface_base_url`). */
export interface BaseUrlOption {
  /** The target option. */
  readonly option: string;
  /** The host must end with one of these (the vendor's own domains); any other host is `custom_host`'s job. */
  readonly hostSuffixes: readonly string[];
  /** Appended to the given URL (`/v1` for a Hugging Face endpoint). */
  readonly pathSuffix?: string;
}

/** How the API key is sent. Default: `authorization: Bearer <key>`. */
export interface AuthHeader {
  /** Header name, lower case. */
  readonly name: string;
  /** Prefix before the key (`Bearer `), none by default. */
  readonly prefix?: string;
}

/** What distinguishes one OpenAI-compatible vendor from another. */
export interface OpenAICompatibleConfig {
  /** Provider id: one of Portkey's. */
  readonly id: ProviderId;
  /**
   * Default base URL, before the endpoint path. `{name}` placeholders are filled from
   * {@link urlOptions}; a target's `custom_host` replaces the whole URL.
   */
  readonly baseUrl: string;
  /** The vendor's API reference for chat completions. */
  readonly docsUrl: string;
  /** Target options that fill `{option}` placeholders of {@link baseUrl}. */
  readonly urlOptions?: readonly UrlOption[];
  /** A target option that replaces {@link baseUrl} with a URL on the vendor's own domains. */
  readonly baseUrlOption?: BaseUrlOption;
  /** `required` (default): the vendor needs `api_key`; `optional`: a server that may run without one. */
  readonly auth?: 'required' | 'optional';
  /** How `api_key` is sent (default `authorization: Bearer …`). */
  readonly authHeader?: AuthHeader;
  /** Fixed headers the vendor documents as required or recommended (lower-case names). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Target options sent as headers: option → header name (lower case). */
  readonly optionHeaders?: Readonly<Record<string, string>>;
  /** Target options sent as query parameters: option → parameter name, with the pattern values must match. */
  readonly optionQuery?: Readonly<Record<string, { readonly name: string; readonly pattern: RegExp }>>;
  /** Where streamed usage lives (default `stream-options`). */
  readonly streamUsage?: StreamUsage;
  /**
   * The vendor's chunks lack fields OpenAI's chunk object requires (`object`, `finish_reason: null`):
   * fill them in, at the cost of one JSON parse per chunk for this vendor only.
   */
  readonly repairChunks?: boolean;
  /**
   * The vendor runs on Azure and opens streams with a chunk that carries only `prompt_filter_results`
   * (`object: ""`, `created: 0`): dropped under strict OpenAI compliance (Azure OpenAI passes it through).
   */
  readonly promptFilterChunk?: boolean;
  /**
   * Vendor finish reasons → OpenAI's (`eos` → `stop` for Together), applied when strict OpenAI
   * compliance is on (the default; Portkey's rule), kept raw when it is off.
   */
  readonly finishReasons?: Readonly<Record<string, 'stop' | 'length' | 'tool_calls' | 'content_filter'>>;
  /** What error bodies look like (default `openai`). */
  readonly errorBody?: ErrorBodyShape;
  /** OpenAI parameter → the vendor's name for it. */
  readonly renameParameters?: Readonly<Record<string, string>>;
  /** OpenAI parameters the vendor rejects: dropped with a warning (`x-pk-warnings`). */
  readonly dropParameters?: readonly string[];
  /** Features and endpoints that differ from "everything supported", each with the doc that shows it. */
  readonly unsupported?: Partial<Record<keyof ProviderCapabilities, string>>;
}
