import { OpenAI } from '@llamaindex/openai';

/** Where the pk gateway runs and which provider it should call. */
export interface PkLlmOptions {
  /** The gateway, e.g. `http://127.0.0.1:8787`. */
  readonly gatewayUrl: string;
  /** A Portkey provider id (`groq`, `anthropic`, `vertex-ai` …). */
  readonly provider: string;
  /** The provider's API key; pk sends it to the provider in the provider's own auth header. */
  readonly providerApiKey: string;
  /** The provider's model name. */
  readonly model: string;
  /** Optional: a different host for the provider (a proxy, a private deployment). */
  readonly customHost?: string;
}

/**
 * A LlamaIndex LLM that talks to any provider through pk: LlamaIndex's OpenAI class sends Chat
 * Completions to pk's `/v1`, with the provider named in Portkey's headers.
 */
export function createPkLlm(options: PkLlmOptions): OpenAI {
  return new OpenAI({
    model: options.model,
    apiKey: options.providerApiKey,
    baseURL: `${options.gatewayUrl}/v1`,
    maxRetries: 0,
    additionalSessionOptions: {
      defaultHeaders: {
        'x-portkey-provider': options.provider,
        ...(options.customHost === undefined ? {} : { 'x-portkey-custom-host': options.customHost }),
      },
    },
  });
}
