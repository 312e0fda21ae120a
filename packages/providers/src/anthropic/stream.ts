import type { FinishReason } from '../openai-format/chat-completion.js';
import type {
  ChatCompletionChunk,
  TranslatedChatCompletionChunk,
} from '../openai-format/chat-completion-chunk.js';
import { finishReasonFor } from '../shared/finish-reason.js';
import { parseJsonOrUndefined } from '../shared/json.js';
import { streamInterrupted } from '../shared/stream-interrupted.js';
import type {
  StreamOutput,
  StreamSink,
  StreamTransformer,
  StreamTransformerOptions,
} from '../spec/provider-adapter.js';
import { type AnthropicStreamEvent, type AnthropicUsage, anthropicStreamEventSchema } from './api.js';
import { mapAnthropicStopReason } from './finish-reason.js';
import { ANTHROPIC_JSON_TOOL_NAME, wantsAnthropicJson } from './json-mode.js';
import { anthropicUsageSoFar, toOpenAIUsageFromAnthropic } from './usage.js';

type Delta = ChatCompletionChunk['choices'][number]['delta'];

/**
 * Anthropic streaming events → OpenAI chunks, as a state machine over every event type:
 * `message_start` (role chunk, input usage), `content_block_start` (a tool call's id and name),
 * `content_block_delta` (`text_delta` → content, `input_json_delta` → tool-call arguments,
 * `thinking_delta` → `reasoning_content`, `signature_delta` → `thinking_blocks`, the last two only with
 * strict compliance off), `content_block_stop` (`{}` as the arguments of a tool call that streamed no
 * input, as OpenAI sends a call without parameters), `message_delta` (finish reason, the vendor's own with native finish reasons
 * on; output usage), `message_stop` (usage chunk
 * when asked for, `onUsage`), `ping` (ignored) and `error` (an `event: error` frame). A stream cut
 * before `message_stop` still gives the usage reported so far (`usageSoFar`); one whose body breaks
 * after it lost nothing (`ended`: Anthropic sends nothing after `message_stop`).
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
export function createAnthropicStreamTransformer(options: StreamTransformerOptions): StreamTransformer {
  const { context, request } = options;
  const strict = context.strictOpenAICompliance;
  const json = wantsAnthropicJson(request.body);
  const created = Math.floor(context.now() / 1000);
  let id = context.generateId();
  let model = String(request.body.model ?? '');
  let usage: AnthropicUsage = {};
  let finished = false;
  /** `message_stop` passed (not an `error` event, which ends the stream as an error). */
  let ended = false;
  let answeredWithJsonTool = false;
  let toolCount = 0;
  const toolIndexOfBlock = new Map<number, number>();
  /** Tool blocks that streamed some input: one that ends without any is sent `{}`, as OpenAI's. */
  const toolBlocksWithInput = new Set<number>();
  const jsonBlocks = new Set<number>();

  function chunk(delta: Delta, finishReason: FinishReason | null = null): StreamOutput {
    const value: TranslatedChatCompletionChunk = {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finishReason }],
    };
    return { type: 'data', data: JSON.stringify(value) };
  }

  function handle(event: AnthropicStreamEvent, controller: StreamSink): void {
    switch (event.type) {
      case 'message_start':
        id = event.message.id;
        model = event.message.model;
        usage = { ...usage, ...event.message.usage };
        controller.enqueue(chunk({ role: 'assistant', content: '' }));
        return;
      case 'content_block_start': {
        const block = event.content_block;
        if (block.type === 'tool_use') {
          if (json && block.name === ANTHROPIC_JSON_TOOL_NAME) {
            jsonBlocks.add(event.index);
            answeredWithJsonTool = true;
            return;
          }
          const index = toolCount++;
          toolIndexOfBlock.set(event.index, index);
          controller.enqueue(
            chunk({
              tool_calls: [
                {
                  index,
                  id: String(block.id),
                  type: 'function',
                  function: { name: String(block.name), arguments: '' },
                },
              ],
            }),
          );
        } else if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') {
          controller.enqueue(chunk({ content: block.text }));
        } else if (block.type === 'redacted_thinking' && !strict && typeof block.data === 'string') {
          controller.enqueue(chunk({ thinking_blocks: [{ type: 'redacted_thinking', data: block.data }] }));
        }
        return;
      }
      case 'content_block_delta': {
        const delta = event.delta;
        if (delta.type === 'text_delta' && typeof delta.text === 'string') {
          controller.enqueue(chunk({ content: delta.text }));
        } else if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
          if (delta.partial_json === '') return;
          if (jsonBlocks.has(event.index)) {
            controller.enqueue(chunk({ content: delta.partial_json }));
            return;
          }
          const index = toolIndexOfBlock.get(event.index);
          if (index !== undefined) {
            toolBlocksWithInput.add(event.index);
            controller.enqueue(
              chunk({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] }),
            );
          }
        } else if (delta.type === 'thinking_delta' && !strict && typeof delta.thinking === 'string') {
          controller.enqueue(chunk({ reasoning_content: delta.thinking }));
        } else if (delta.type === 'signature_delta' && !strict && typeof delta.signature === 'string') {
          controller.enqueue(
            chunk({ thinking_blocks: [{ type: 'thinking', thinking: '', signature: delta.signature }] }),
          );
        }
        return;
      }
      case 'content_block_stop': {
        const index = toolIndexOfBlock.get(event.index);
        if (index === undefined || toolBlocksWithInput.has(event.index)) return;
        toolBlocksWithInput.add(event.index);
        controller.enqueue(chunk({ tool_calls: [{ index, function: { arguments: '{}' } }] }));
        return;
      }
      case 'message_delta': {
        usage = {
          ...usage,
          ...Object.fromEntries(
            Object.entries(event.usage ?? {}).filter(([, v]) => v !== null && v !== undefined),
          ),
        };
        const reason =
          answeredWithJsonTool && toolCount === 0
            ? finishReasonFor(context, 'end_turn', 'stop')
            : finishReasonFor(
                context,
                event.delta.stop_reason,
                mapAnthropicStopReason(event.delta.stop_reason),
              );
        controller.enqueue(chunk({}, reason));
        return;
      }
      case 'message_stop': {
        finished = true;
        ended = true;
        const openAIUsage = toOpenAIUsageFromAnthropic(usage);
        options.onUsage(openAIUsage);
        if (request.clientWantsUsage) {
          const value: ChatCompletionChunk = {
            id,
            object: 'chat.completion.chunk',
            created,
            model,
            choices: [],
            usage: openAIUsage,
          };
          controller.enqueue({ type: 'data', data: JSON.stringify(value) });
        }
        return;
      }
      case 'error':
        finished = true;
        controller.enqueue({
          type: 'error',
          envelope: {
            error: {
              message: event.error.message ?? 'the provider reported an error',
              type: event.error.type ?? 'api_error',
              param: null,
              code: null,
            },
          },
        });
        return;
      default:
        return;
    }
  }

  return {
    transform(message, controller) {
      if (finished) return;
      const parsed = anthropicStreamEventSchema.safeParse(parseJsonOrUndefined(message.data));
      if (parsed.success) handle(parsed.data, controller);
    },
    flush(controller) {
      if (finished) return;
      controller.enqueue(streamInterrupted('the provider stream ended before message_stop'));
    },
    usageSoFar: () => anthropicUsageSoFar(usage),
    ended: () => ended,
  };
}
