import { ChatOpenAI } from '@langchain/openai';

/** Where the pk gateway runs and which provider it should call. */
export interface PkChatOptions {
  /** The gateway, e.g. `http://127.0.0.1:8787`. */
  readonly gatewayUrl: string;
  /** A Portkey provider id (`anthropic`, `groq`, `bedrock` …). */
  readonly provider: string;
  /** The provider's API key; pk sends it to the provider in the provider's own auth header. */
  readonly providerApiKey: string;
  /** The provider's model name. */
  readonly model: string;
  /** Optional: a different host for the provider (a proxy, a private deployment). */
  readonly customHost?: string;
}

/**
 * A LangChain chat model that talks to any provider through pk: LangChain speaks OpenAI's Chat
 * Completions to pk's `/v1`, and pk translates for the provider named in `x-portkey-provider`
 * (Anthropic's Messages API, Bedrock's Converse, Gemini …) and back, streaming and usage included.
 */
export function createPkChatModel(options: PkChatOptions): ChatOpenAI {
  return new ChatOpenAI({
    model: options.model,
    apiKey: options.providerApiKey,
    maxRetries: 0,
    configuration: {
      baseURL: `${options.gatewayUrl}/v1`,
      defaultHeaders: {
        'x-portkey-provider': options.provider,
        ...(options.customHost === undefined ? {} : { 'x-portkey-custom-host': options.customHost }),
      },
    },
  });
}
