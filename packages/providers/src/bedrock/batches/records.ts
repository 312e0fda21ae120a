import { PkError } from '@pk/config';
import { toAnthropicRequest } from '../../anthropic/request.js';
import { isJsonObject } from '../../shared/json.js';
import type { ProviderContext } from '../../spec/provider-adapter.js';
import { isBedrockClaudeModel } from '../claude-model.js';
import { BEDROCK_ANTHROPIC_VERSION } from '../native-messages.js';

/** The endpoints a batch input line may name (OpenAI's `url`), all chat completions. */
const CHAT_URLS: ReadonlySet<string> = new Set(['/v1/chat/completions', '/chat/completions']);

/** What {@link toBedrockBatchRecords} made: the JSONL to upload and how many records it holds. */
export interface BedrockBatchRecords {
  readonly jsonl: string;
  readonly count: number;
}

function refuse(line: number, why: string): never {
  throw new PkError('PK_ERR_INVALID_REQUEST', `batch input line ${line}: ${why}`, { param: 'file' });
}

/** One line's chat body translated to Anthropic's Messages request; a refusal names the line. */
function lineRequest(line: number, body: Record<string, unknown>, context: ProviderContext) {
  try {
    const request = { endpoint: 'chat.completions' as const, body, providerOptions: {}, stream: false };
    return toAnthropicRequest({ ...request, clientWantsUsage: false }, context);
  } catch (error) {
    if (error instanceof PkError) refuse(line, error.message);
    throw error;
  }
}

/**
 * OpenAI's batch input (JSONL, one `{"custom_id", "method", "url": "/v1/chat/completions", "body"}`
 * a line) → Bedrock's batch inference records, one `{"recordId": <custom_id>, "modelInput": <the
 * model's InvokeModel body>}` a line (pure). Claude models only: the body is translated as a chat
 * call to Anthropic (the Messages body, `anthropic_version: bedrock-2023-05-31`, no `model`, no
 * `stream`). Blank lines are skipped; any other line that is not such an object is a 400 naming it.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-data.html
 * @see https://platform.openai.com/docs/api-reference/batch/request-input
 */
export function toBedrockBatchRecords(
  text: string,
  model: string,
  context: ProviderContext,
): BedrockBatchRecords {
  if (!isBedrockClaudeModel(model)) {
    throw new PkError(
      'PK_ERR_UNSUPPORTED_ENDPOINT',
      `pk translates batch files for Claude models on Bedrock only; '${model.slice(0, 120)}' is not one (x-portkey-aws-bedrock-model)`,
      { param: 'aws_bedrock_model' },
    );
  }
  const records: string[] = [];
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const lineText = raw.trim();
    if (lineText === '') continue;
    const number = index + 1;
    let line: unknown;
    try {
      line = JSON.parse(lineText);
    } catch {
      refuse(number, 'not JSON');
    }
    if (!isJsonObject(line)) refuse(number, 'not a JSON object');
    if (typeof line.custom_id !== 'string' || line.custom_id === '') refuse(number, 'custom_id is missing');
    if (typeof line.url === 'string' && !CHAT_URLS.has(line.url)) {
      refuse(
        number,
        `url '${line.url.slice(0, 80)}' is not /v1/chat/completions, the one batch endpoint pk sends to Bedrock`,
      );
    }
    if (!isJsonObject(line.body)) refuse(number, 'body is missing');
    const body = { ...line.body, model };
    const built = lineRequest(number, body, context);
    const {
      model: _model,
      stream: _stream,
      ...messages
    } = JSON.parse(String(built.upstream.body)) as Record<string, unknown>;
    const modelInput = { anthropic_version: BEDROCK_ANTHROPIC_VERSION, ...messages };
    records.push(JSON.stringify({ recordId: line.custom_id, modelInput }));
  }
  if (records.length === 0) {
    throw new PkError('PK_ERR_INVALID_REQUEST', 'the batch input file holds no line', { param: 'file' });
  }
  return { jsonl: `${records.join('\n')}\n`, count: records.length };
}
