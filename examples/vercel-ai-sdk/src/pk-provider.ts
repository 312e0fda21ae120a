import { createOpenAICompatible, type OpenAICompatibleProvider } from '@ai-sdk/openai-compatible';

/** Where the pk gateway runs and which provider it should call. */
export interface PkProviderOptions {
  /** The gateway, e.g. `http://127.0.0.1:8787`. */
  readonly gatewayUrl: string;
  /** A Portkey provider id (`mistral-ai`, `anthropic`, `bedrock` …). */
  readonly provider: string;
  /** The provider's API key; pk sends it to the provider in the provider's own auth header. */
  readonly providerApiKey: string;
  /** Optional: a different host for the provider (a proxy, a private deployment). */
  readonly customHost?: string;
}

/**
 * An AI SDK provider for pk: `@ai-sdk/openai-compatible` sends Chat Completions to pk's `/v1`, with
 * the provider named in Portkey's headers. `includeUsage` asks for streamed usage the OpenAI way; pk
 * delivers it whatever the provider's own way is.
 */
export function createPkProvider(options: PkProviderOptions): OpenAICompatibleProvider {
  return createOpenAICompatible({
    name: 'pk',
    baseURL: `${options.gatewayUrl}/v1`,
    apiKey: options.providerApiKey,
    includeUsage: true,
    headers: {
      'x-portkey-provider': options.provider,
      ...(options.customHost === undefined ? {} : { 'x-portkey-custom-host': options.customHost }),
    },
  });
}
