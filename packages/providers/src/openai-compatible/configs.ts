import type { OpenAICompatibleConfig } from './config.js';

/** Azure API versions: dates with an optional `-preview`, or `v1`/`latest`/`preview`. */
const AZURE_API_VERSION = /^(\d{4}-\d{2}-\d{2}(-preview)?|v1|latest|preview)$/;

/**
 * The OpenAI-compatible vendors: configurations of one shared adapter. Each `unsupported` entry links
 * the vendor doc that shows the gap; anything not listed passes through and the vendor decides.
 * Every vendor has fixtures of its documented answers in `__fixtures__/<id>/` and a test of a chat
 * call and a stream against them (`vendors.test.ts`).
 */
export const OPENAI_COMPATIBLE_CONFIGS = [
  {
    id: 'groq',
    baseUrl: 'https://api.groq.com/openai/v1',
    docsUrl: 'https://console.groq.com/docs/openai',
    dropParameters: ['logprobs', 'logit_bias', 'top_logprobs'],
    unsupported: {
      embeddings: 'https://console.groq.com/docs/api-reference',
      completions: 'https://console.groq.com/docs/api-reference',
    },
  },
  {
    id: 'mistral-ai',
    baseUrl: 'https://api.mistral.ai/v1',
    docsUrl: 'https://docs.mistral.ai/api/',
    streamUsage: 'unasked',
    renameParameters: { seed: 'random_seed' },
    unsupported: { completions: 'https://docs.mistral.ai/api/#tag/fim' },
  },
  {
    id: 'together-ai',
    baseUrl: 'https://api.together.xyz/v1',
    docsUrl: 'https://docs.together.ai/docs/openai-api-compatibility',
    finishReasons: { eos: 'stop' },
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
    streamUsage: 'unasked',
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
    dropParameters: ['frequency_penalty', 'presence_penalty', 'logit_bias'],
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
    docsUrl: 'https://platform.moonshot.ai/docs/api/chat',
    streamUsage: 'in-choice',
    unsupported: { embeddings: 'https://platform.moonshot.ai/docs/api/chat' },
  },
  {
    id: 'dashscope',
    baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
    docsUrl: 'https://help.aliyun.com/zh/model-studio/compatibility-of-openai-with-dashscope',
  },
  {
    id: 'huggingface',
    baseUrl: 'https://router.huggingface.co/v1',
    docsUrl: 'https://huggingface.co/docs/inference-providers/index',
    baseUrlOption: {
      option: 'huggingface_base_url',
      hostSuffixes: ['.huggingface.cloud', '.huggingface.co'],
      pathSuffix: '/v1',
    },
  },
  {
    id: 'ai21',
    baseUrl: 'https://api.ai21.com/studio/v1',
    docsUrl: 'https://docs.ai21.com/reference/jamba-1-6-api-ref',
    streamUsage: 'unasked',
    repairChunks: true,
  },
  {
    id: 'reka-ai',
    baseUrl: 'https://api.reka.ai/v1',
    docsUrl: 'https://docs.reka.ai/chat/api-reference/create-chat-completion',
  },
  {
    id: 'workers-ai',
    baseUrl: 'https://api.cloudflare.com/client/v4/accounts/{workers_ai_account_id}/ai/v1',
    docsUrl: 'https://developers.cloudflare.com/workers-ai/configuration/open-ai-compatibility',
    urlOptions: [
      {
        option: 'workers_ai_account_id',
        pattern: /^[0-9a-f]{32}$/,
        describe: 'a Cloudflare account id (32 hex digits)',
      },
    ],
    errorBody: 'cloudflare',
  },
  {
    id: 'lingyi',
    baseUrl: 'https://api.lingyiwanwu.com/v1',
    docsUrl: 'https://platform.lingyiwanwu.com/docs',
  },
  {
    id: 'zhipu',
    baseUrl: 'https://open.bigmodel.cn/api/paas/v4',
    docsUrl: 'https://docs.bigmodel.cn/api-reference',
    streamUsage: 'unasked',
    repairChunks: true,
  },
  {
    id: 'z-ai',
    baseUrl: 'https://api.z.ai/api/paas/v4',
    docsUrl: 'https://docs.z.ai/api-reference/llm/chat-completion',
    headers: { 'accept-language': 'en-US,en' },
    streamUsage: 'unasked',
    repairChunks: true,
  },
  {
    id: 'azure-ai',
    baseUrl: '',
    docsUrl: 'https://learn.microsoft.com/en-us/azure/ai-foundry/foundry-models/how-to/inference',
    baseUrlOption: {
      option: 'azure_foundry_url',
      hostSuffixes: [
        '.services.ai.azure.com',
        '.models.ai.azure.com',
        '.inference.ai.azure.com',
        '.openai.azure.com',
        '.cognitiveservices.azure.com',
      ],
    },
    headers: { 'extra-parameters': 'drop' },
    optionHeaders: {
      azure_extra_parameters: 'extra-parameters',
      azure_deployment_name: 'azureml-model-deployment',
    },
    optionQuery: { azure_api_version: { name: 'api-version', pattern: AZURE_API_VERSION } },
    promptFilterChunk: true,
  },
  {
    id: 'github',
    baseUrl: 'https://models.github.ai/inference',
    docsUrl: 'https://docs.github.com/en/rest/models/inference',
    headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
    promptFilterChunk: true,
  },
  {
    id: 'deepbricks',
    baseUrl: 'https://api.deepbricks.ai/v1',
    docsUrl: 'https://deepbricks.ai/',
    optionHeaders: {
      openai_organization: 'deepbricks-organization',
      openai_project: 'deepbricks-project',
    },
  },
  {
    id: 'siliconflow',
    baseUrl: 'https://api.siliconflow.cn/v1',
    docsUrl: 'https://docs.siliconflow.cn/en/api-reference/chat-completions/chat-completions',
  },
  {
    id: 'inference-net',
    baseUrl: 'https://api.inference.net/v1',
    docsUrl: 'https://docs.inference.net/',
  },
  {
    id: 'lemonfox-ai',
    baseUrl: 'https://api.lemonfox.ai/v1',
    docsUrl: 'https://www.lemonfox.ai/apis/llm',
    streamUsage: 'none',
    dropParameters: [
      'tools',
      'tool_choice',
      'functions',
      'function_call',
      'response_format',
      'n',
      'seed',
      'logprobs',
      'logit_bias',
      'user',
    ],
    unsupported: {
      tools: 'https://www.lemonfox.ai/apis/llm',
      jsonMode: 'https://www.lemonfox.ai/apis/llm',
      embeddings: 'https://www.lemonfox.ai/apis/llm',
    },
  },
  {
    id: 'upstage',
    baseUrl: 'https://api.upstage.ai/v1',
    docsUrl: 'https://console.upstage.ai/api/chat',
  },
  {
    id: 'lambda',
    baseUrl: 'https://api.lambda.ai/v1',
    docsUrl: 'https://docs.lambda.ai/public-cloud/lambda-inference-api/',
  },
  { id: 'kluster-ai', baseUrl: 'https://api.kluster.ai/v1', docsUrl: 'https://docs.kluster.ai/' },
  {
    id: 'nscale',
    baseUrl: 'https://inference.api.nscale.com/v1',
    docsUrl: 'https://docs.nscale.com/api-reference/inference/create-chat-completion',
  },
  {
    id: 'hyperbolic',
    baseUrl: 'https://api.hyperbolic.xyz/v1',
    docsUrl: 'https://docs.hyperbolic.xyz/docs/getting-started',
    errorBody: 'fastapi',
  },
  {
    id: 'featherless-ai',
    baseUrl: 'https://api.featherless.ai/v1',
    docsUrl: 'https://featherless.ai/docs/api-overview-and-common-options',
  },
  {
    id: 'krutrim',
    baseUrl: 'https://cloud.olakrutrim.com/v1',
    docsUrl: 'https://ai-labs.olakrutrim.com/',
  },
  { id: '302ai', baseUrl: 'https://api.302.ai/v1', docsUrl: 'https://doc.302.ai/' },
  { id: 'cometapi', baseUrl: 'https://api.cometapi.com/v1', docsUrl: 'https://api.cometapi.com/doc' },
  {
    id: 'iointelligence',
    baseUrl: 'https://api.intelligence.io.solutions/api/v1',
    docsUrl: 'https://docs.io.net/reference/get-started-with-io-intelligence-api',
  },
  {
    id: 'ovhcloud',
    baseUrl: 'https://oai.endpoints.kepler.ai.cloud.ovh.net/v1',
    docsUrl: 'https://help.ovhcloud.com/csm/en-public-cloud-ai-endpoints-getting-started',
    auth: 'optional',
  },
  {
    id: 'cortex',
    baseUrl: 'https://{snowflake_account}.snowflakecomputing.com/api/v2/cortex/v1',
    docsUrl: 'https://docs.snowflake.com/en/user-guide/snowflake-cortex/cortex-rest-api',
    urlOptions: [
      {
        option: 'snowflake_account',
        pattern: /^[A-Za-z0-9][A-Za-z0-9-]{0,254}(\.[A-Za-z0-9-]{1,63}){0,3}$/,
        describe: 'a Snowflake account identifier (orgname-accountname)',
      },
    ],
    errorBody: 'snowflake',
  },
  {
    id: 'oracle',
    baseUrl: 'https://inference.generativeai.{oracle_region}.oci.oraclecloud.com/openai/v1',
    docsUrl: 'https://docs.oracle.com/en-us/iaas/Content/generative-ai/chat-completions-api.htm',
    urlOptions: [
      {
        option: 'oracle_region',
        pattern: /^[a-z]{2}-[a-z]+-\d{1,2}$/,
        describe: 'an OCI region such as us-chicago-1',
      },
    ],
  },
  {
    id: 'modal',
    baseUrl: '',
    docsUrl: 'https://modal.com/docs/examples/vllm_inference',
    auth: 'optional',
  },
  { id: 'nextbit', baseUrl: 'https://api.nextbit256.com/v1', docsUrl: 'https://www.nextbit256.com/docs' },
  { id: 'aibadgr', baseUrl: 'https://aibadgr.com/api/v1', docsUrl: 'https://aibadgr.com/docs' },
] as const satisfies readonly OpenAICompatibleConfig[];

/** Ids of the OpenAI-compatible vendors. */
export type OpenAICompatibleProviderId = (typeof OPENAI_COMPATIBLE_CONFIGS)[number]['id'];
