import type { EventSourceMessage } from 'eventsource-parser';
import { createOpenAIStreamTransformer } from '../openai/stream.js';
import type { StreamOutput, StreamTransformerOptions } from '../spec/provider-adapter.js';

/**
 * Azure streams are OpenAI's; the first chunk may carry only `prompt_filter_results` with
 * `choices: []` and no usage, which the fast path passes through.
 */
export function createAzureOpenAIStreamTransformer(
  options: StreamTransformerOptions,
): TransformStream<EventSourceMessage, StreamOutput> {
  return createOpenAIStreamTransformer(options);
}
