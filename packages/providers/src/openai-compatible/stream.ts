import type { EventSourceMessage } from 'eventsource-parser';
import { createOpenAIStreamTransformer } from '../openai/stream.js';
import { isJsonObject, parseJsonOrUndefined } from '../shared/json.js';
import { hasObjectMember, hasStringMember, memberName } from '../shared/json-text-scan.js';
import type { StreamTransformer, StreamTransformerOptions } from '../spec/provider-adapter.js';
import type { OpenAICompatibleConfig } from './config.js';
import { createFilterChunkStreamTransformer } from './filter-chunk-stream.js';
import { mappedFinishReason } from './finish-reason.js';

const USAGE = memberName('usage');
const FINISH_REASON = memberName('finish_reason');

/** A chunk with the vendor's finish reasons mapped to OpenAI's; `undefined` when none was mapped. */
function mapFinishReasons(data: string, reasons: Readonly<Record<string, string>>): string | undefined {
  if (!hasStringMember(data, FINISH_REASON)) return undefined;
  const chunk = parseJsonOrUndefined(data);
  if (!isJsonObject(chunk) || !Array.isArray(chunk.choices)) return undefined;
  let changed = false;
  for (const choice of chunk.choices) {
    if (!isJsonObject(choice)) continue;
    const mapped = mappedFinishReason(reasons, choice.finish_reason);
    if (mapped !== undefined) {
      choice.finish_reason = mapped;
      changed = true;
    }
  }
  return changed ? JSON.stringify(chunk) : undefined;
}

/**
 * A chunk whose usage sits in `choices[i].usage` (Moonshot's last chunk) with that usage moved to the
 * chunk's top level, where OpenAI clients and the usage promise read it; `undefined` when there is
 * nothing to move.
 */
function liftChoiceUsage(data: string): string | undefined {
  if (!hasObjectMember(data, USAGE)) return undefined;
  const chunk = parseJsonOrUndefined(data);
  if (!isJsonObject(chunk) || isJsonObject(chunk.usage) || !Array.isArray(chunk.choices)) return undefined;
  let usage: unknown;
  const choices = chunk.choices.map((choice: unknown) => {
    if (!isJsonObject(choice) || !isJsonObject(choice.usage)) return choice;
    usage = choice.usage;
    const { usage: _moved, ...rest } = choice;
    return rest;
  });
  return usage === undefined ? undefined : JSON.stringify({ ...chunk, choices, usage });
}

/** The request's model and the call's time, for chunks that leave them out. */
interface ChunkDefaults {
  readonly model: string;
  readonly created: number;
}

/**
 * A chunk with the fields OpenAI's chunk object requires filled in where the vendor leaves them out:
 * GLM streams send neither `object` nor `finish_reason` before the last chunk; AI21's chunks carry
 * only `id`, `choices` and `usage`.
 */
function repairChunk(data: string, defaults: ChunkDefaults): string {
  if (data.trim() === '[DONE]') return data;
  const chunk = parseJsonOrUndefined(data);
  if (!isJsonObject(chunk) || !Array.isArray(chunk.choices) || 'error' in chunk) return data;
  const before = Object.keys(chunk).length;
  chunk.object ??= 'chat.completion.chunk';
  chunk.created ??= defaults.created;
  chunk.model ??= defaults.model;
  let changed = Object.keys(chunk).length !== before;
  for (const choice of chunk.choices) {
    if (isJsonObject(choice) && !('finish_reason' in choice)) {
      choice.finish_reason = null;
      changed = true;
    }
  }
  return changed ? JSON.stringify(chunk) : data;
}

/**
 * OpenAI-compatible streams take OpenAI's fast path, which finds usage on any chunk (the last content
 * chunk for Mistral and Together, every chunk for Perplexity). Vendors whose usage lives inside a
 * choice (`streamUsage: 'in-choice'`) get it lifted to the top level first, and vendors whose chunks
 * lack OpenAI's required fields (`repairChunks`) get them filled in, and vendor finish reasons
 * (`finishReasons`) are mapped on the chunk that carries one; only those vendors pay a parse.
 */
export function createOpenAICompatibleStreamTransformer(
  config: OpenAICompatibleConfig,
  options: StreamTransformerOptions,
): StreamTransformer {
  const inner = config.promptFilterChunk
    ? createFilterChunkStreamTransformer(options)
    : createOpenAIStreamTransformer(options);
  const liftsUsage = config.streamUsage === 'in-choice';
  const repairs = config.repairChunks === true;
  const reasons = options.context.nativeFinishReasons ? undefined : config.finishReasons;
  if (!liftsUsage && !repairs && reasons === undefined) return inner;
  const defaults: ChunkDefaults = {
    model: String(options.request.body.model ?? ''),
    created: Math.floor(options.context.now() / 1000),
  };
  return {
    transform(event, sink) {
      let data = repairs ? repairChunk(event.data, defaults) : event.data;
      if (liftsUsage) data = liftChoiceUsage(data) ?? data;
      if (reasons !== undefined) data = mapFinishReasons(data, reasons) ?? data;
      const next: EventSourceMessage = data === event.data ? event : { ...event, data };
      inner.transform(next, sink);
    },
    flush(sink) {
      inner.flush?.(sink);
    },
    usageSoFar: () => inner.usageSoFar?.(),
    ended: () => inner.ended?.() === true,
  };
}
