import { anthropicReadsFile } from '../anthropic/request-messages.js';
import { isBedrockClaudeModel } from '../bedrock/claude-model.js';
import { bedrockReadsFile } from '../bedrock/request-documents.js';
import { geminiReadsInlineFile } from '../google/request-contents.js';
import { vertexAIModelRoute } from '../vertex-ai/location.js';

/**
 * One attempt's target, as the chat route and the dialect translations ask what it can take: the
 * provider and the model it is asked for.
 */
export interface TargetModel {
  readonly provider: string;
  readonly model: string;
}

/**
 * Providers whose chat request reads `file` parts with the file's bytes (`file_data`, PDFs): documents
 * are translated for them and refused for the others, which would answer the part with an error of
 * their own or ignore it.
 */
const TAKES_FILES: ReadonlySet<string> = new Set([
  'openai',
  'azure-openai',
  'anthropic',
  'google',
  'vertex-ai',
  'bedrock',
]);

/**
 * Providers that fetch a file by URL themselves: Anthropic's documents take a `url` source. OpenAI's chat
 * `file` part has no URL field (`file_data`, `file_id`, `filename` only), Gemini reads inline bytes or
 * its own Files API and Bedrock bytes or S3: for them a file URL is refused.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/pdf-support
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages-user-message-content-array-of-content-parts-file-content-part
 */
const TAKES_FILE_URLS: ReadonlySet<string> = new Set(['anthropic']);

/**
 * The most stop sequences a provider's chat API takes (it refuses a request with more): OpenAI, Azure
 * OpenAI and Groq 4, Gemini 5, Cohere 5. Others document no limit.
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-stop
 * @see https://console.groq.com/docs/api-reference#chat-create
 * @see https://ai.google.dev/api/generate-content#generationconfig
 * @see https://docs.cohere.com/reference/chat
 */
const STOP_SEQUENCE_LIMITS: Readonly<Record<string, number>> = {
  openai: 4,
  'azure-openai': 4,
  groq: 4,
  google: 5,
  cohere: 5,
};

function isClaudeOnVertex(model: string): boolean {
  try {
    return vertexAIModelRoute(model).publisher === 'anthropic';
  } catch {
    // An invalid model name is refused by the adapter itself, naming the model.
    return false;
  }
}

/** Whether the target reads a file's bytes from a chat `file` part. */
export function takesFiles(target: TargetModel): boolean {
  return TAKES_FILES.has(target.provider);
}

/** Whether the target fetches a file given by URL (a chat `file` part's `file_url`). */
export function takesFileUrls(target: TargetModel): boolean {
  return TAKES_FILE_URLS.has(target.provider);
}

/**
 * Whether the target is Claude, which takes back the thinking blocks of earlier turns (with their
 * signatures) from a chat message's `thinking_blocks`: Anthropic, and Claude on Bedrock or Vertex AI.
 * Other providers have no such field (strict ones, Groq, refuse a message that carries it).
 */
export function takesThinkingBlocks(target: TargetModel): boolean {
  if (target.provider === 'anthropic') return true;
  if (target.provider === 'bedrock') return isBedrockClaudeModel(target.model);
  if (target.provider === 'vertex-ai') return isClaudeOnVertex(target.model);
  return false;
}

/**
 * Which media types of a file sent as bytes the target reads, where pk translates the `file` part into
 * the provider's own block (Claude, Gemini, Bedrock Converse); `undefined` where the part goes on as
 * the client sent it (OpenAI, Azure OpenAI: the provider judges it, `file_id` included).
 */
export function fileMediaTypesReadBy(target: TargetModel): ((mediaType: string) => boolean) | undefined {
  switch (target.provider) {
    case 'anthropic':
      return anthropicReadsFile;
    case 'google':
      return geminiReadsInlineFile;
    case 'vertex-ai':
      return isClaudeOnVertex(target.model) ? anthropicReadsFile : geminiReadsInlineFile;
    case 'bedrock':
      return bedrockReadsFile;
    default:
      return undefined;
  }
}

/** The most stop sequences the target takes, or `undefined` where no limit is known. */
export function stopSequenceLimit(target: TargetModel): number | undefined {
  if (target.provider === 'vertex-ai') return isClaudeOnVertex(target.model) ? undefined : 5;
  return STOP_SEQUENCE_LIMITS[target.provider];
}
