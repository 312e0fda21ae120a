import { createOpenAIStreamTransformer } from '../openai/stream.js';
import type { StreamTransformer, StreamTransformerOptions } from '../spec/provider-adapter.js';

const PROMPT_FILTER_ONLY =
  /^\s*\{\s*"choices"\s*:\s*\[\s*\]\s*,\s*"created"\s*:\s*0\s*,[\s\S]*"prompt_filter_results"/;

/**
 * Streams of the OpenAI-compatible vendors that run on Azure (Azure AI, GitHub Models): OpenAI's,
 * except a first chunk that carries only `prompt_filter_results` (with `object: ""` and `created: 0`,
 * not a valid chunk). With strict OpenAI compliance it is dropped; otherwise it passes through.
 * (Azure OpenAI itself passes it through always: `azure-openai/stream.ts`.)
 * @see https://learn.microsoft.com/en-us/azure/ai-services/openai/concepts/content-filter
 */
export function createFilterChunkStreamTransformer(options: StreamTransformerOptions): StreamTransformer {
  const fastPath = createOpenAIStreamTransformer(options);
  if (!options.context.strictOpenAICompliance) return fastPath;
  return {
    transform(event, sink) {
      if (!PROMPT_FILTER_ONLY.test(event.data)) fastPath.transform(event, sink);
    },
    flush(sink) {
      fastPath.flush?.(sink);
    },
    usageSoFar: () => fastPath.usageSoFar?.(),
    ended: () => fastPath.ended?.() === true,
  };
}
