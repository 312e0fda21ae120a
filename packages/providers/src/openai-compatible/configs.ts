import type { OpenAICompatibleConfig } from './config.js';

/**
 * The OpenAI-compatible vendors: configurations of one shared adapter. Each `unsupported` entry links
 * the vendor doc that shows the gap; anything not listed passes through and the vendor decides.
 */
export const OPENAI_COMPATIBLE_CONFIGS = [
  {
    id: 'groq',
    baseUrl: 'https://api.groq.com/openai/v1',
    docsUrl: 'https://console.groq.com/docs/openai',
    unsupported: {
      embeddings: 'https://console.groq.com/docs/api-reference',
      completions: 'https://console.groq.com/docs/api-reference',
    },
  },
  {
    id: 'mistral-ai',
    baseUrl: 'https://api.mistral.ai/v1',
    docsUrl: 'https://docs.mistral.ai/api/',
    acceptsStreamOptions: false,
    renameParameters: { seed: 'random_seed', max_completion_tokens: 'max_tokens' },
    unsupported: { completions: 'https://docs.mistral.ai/api/#tag/fim' },
  },
  {
    id: 'together-ai',
    baseUrl: 'https://api.together.xyz/v1',
    docsUrl: 'https://docs.together.ai/docs/openai-api-compatibility',
  },
  {
    id: 'deepseek',
    baseUrl: 'https://api.deepseek.com',
    docsUrl: 'https://api-docs.deepseek.com/',
    unsupported: {
      embeddings: 'https://api-docs.deepseek.com/',
      completions: 'https://api-docs.deepseek.com/api/create-completion',
    },
  },
  {
    id: 'fireworks-ai',
    baseUrl: 'https://api.fireworks.ai/inference/v1',
    docsUrl: 'https://docs.fireworks.ai/tools-sdks/openai-compatibility',
  },
  {
    id: 'perplexity-ai',
    baseUrl: 'https://api.perplexity.ai',
    docsUrl: 'https://docs.perplexity.ai/api-reference/chat-completions-post',
    acceptsStreamOptions: false,
    unsupported: {
      embeddings: 'https://docs.perplexity.ai/api-reference/chat-completions-post',
      completions: 'https://docs.perplexity.ai/api-reference/chat-completions-post',
      tools: 'https://docs.perplexity.ai/api-reference/chat-completions-post',
    },
  },
  {
    id: 'openrouter',
    baseUrl: 'https://openrouter.ai/api/v1',
    docsUrl: 'https://openrouter.ai/docs/api-reference/overview',
  },
  { id: 'x-ai', baseUrl: 'https://api.x.ai/v1', docsUrl: 'https://docs.x.ai/docs/api-reference' },
  {
    id: 'cerebras',
    baseUrl: 'https://api.cerebras.ai/v1',
    docsUrl: 'https://inference-docs.cerebras.ai/resources/openai',
    unsupported: { embeddings: 'https://inference-docs.cerebras.ai/api-reference/chat-completions' },
  },
  {
    id: 'deepinfra',
    baseUrl: 'https://api.deepinfra.com/v1/openai',
    docsUrl: 'https://deepinfra.com/docs/openai_api',
  },
  {
    id: 'ollama',
    baseUrl: 'http://localhost:11434/v1',
    docsUrl: 'https://github.com/ollama/ollama/blob/main/docs/openai.md',
    auth: 'optional',
  },
  {
    id: 'sambanova',
    baseUrl: 'https://api.sambanova.ai/v1',
    docsUrl: 'https://docs.sambanova.ai/cloud/docs/capabilities/openai-compatibility',
  },
  {
    id: 'nebius',
    baseUrl: 'https://api.studio.nebius.com/v1',
    docsUrl: 'https://docs.nebius.com/studio/inference/api',
  },
  {
    id: 'novita-ai',
    baseUrl: 'https://api.novita.ai/v3/openai',
    docsUrl: 'https://novita.ai/docs/guides/llm-api',
  },
  {
    id: 'moonshot',
    baseUrl: 'https://api.moonshot.cn/v1',
    docsUrl: 'https://platform.moonshot.cn/docs/api/chat',
    unsupported: { embeddings: 'https://platform.moonshot.cn/docs/api/chat' },
  },
  {
    id: 'dashscope',
    baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
    docsUrl: 'https://help.aliyun.com/zh/model-studio/compatibility-of-openai-with-dashscope',
  },
] as const satisfies readonly OpenAICompatibleConfig[];

/** Ids of the OpenAI-compatible vendors. */
export type OpenAICompatibleProviderId = (typeof OPENAI_COMPATIBLE_CONFIGS)[number]['id'];
