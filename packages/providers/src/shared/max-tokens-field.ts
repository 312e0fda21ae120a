/**
 * Providers whose chat requests take `max_completion_tokens`: OpenAI's current field, the only one its
 * o-series and gpt-5 models accept (they refuse `max_tokens`), which every OpenAI chat model takes
 * (https://platform.openai.com/docs/api-reference/chat/create#chat-create-max_completion_tokens);
 * Azure OpenAI the same; the adapters that translate the request read it (Anthropic, Gemini, Vertex,
 * Bedrock, Cohere); Groq and Cerebras document it too, Groq calling `max_tokens` deprecated
 * (https://console.groq.com/docs/api-reference#chat-create,
 * https://inference-docs.cerebras.ai/api-reference/chat-completions). The other OpenAI-compatible
 * vendors document `max_tokens` (DeepSeek, Mistral,
 * Together …, https://api-docs.deepseek.com/api/create-chat-completion): a cap the gateway sets goes
 * there, and a client's `max_completion_tokens` is renamed to it (`openai-compatible/request.ts`),
 * else the vendor would ignore it.
 */
const MAX_COMPLETION_TOKENS_PROVIDERS: ReadonlySet<string> = new Set([
  'openai',
  'azure-openai',
  'anthropic',
  'google',
  'vertex-ai',
  'bedrock',
  'cohere',
  'groq',
  'cerebras',
]);

/** The chat completions field that caps the answer's tokens for `provider` (see above). */
export function chatMaxTokensField(provider: string): 'max_tokens' | 'max_completion_tokens' {
  return MAX_COMPLETION_TOKENS_PROVIDERS.has(provider) ? 'max_completion_tokens' : 'max_tokens';
}

/**
 * The field a client dialect's request (Messages, Responses) translated to chat completions carries
 * its cap in: `max_completion_tokens` for the OpenAI APIs (their reasoning models refuse
 * `max_tokens`), `max_tokens` for everyone else (the translating adapters read either, see
 * {@link chatMaxTokensField}).
 */
export function maxTokensField(provider: string): 'max_tokens' | 'max_completion_tokens' {
  return provider === 'openai' || provider === 'azure-openai' ? 'max_completion_tokens' : 'max_tokens';
}
