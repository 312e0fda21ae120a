import { createChunkFactory, streamErrorOutput } from '../shared/chunk-factory.js';
import { finishReasonFor } from '../shared/finish-reason.js';
import { parseJsonOrUndefined } from '../shared/json.js';
import { streamInterrupted } from '../shared/stream-interrupted.js';
import type { StreamSink, StreamTransformer, StreamTransformerOptions } from '../spec/provider-adapter.js';
import { type BedrockStreamPayload, bedrockStreamPayloadSchema } from './api.js';
import { bedrockStopDetails, mapBedrockStopReason } from './finish-reason.js';
import { BEDROCK_JSON_TOOL_NAME, wantsBedrockJson } from './json-mode.js';
import { thinkingBlockOf } from './reasoning-blocks.js';
import { toOpenAIUsageFromBedrock } from './usage.js';

/**
 * ConverseStream events (decoded from the binary event stream) → OpenAI chunks: `messageStart` (role
 * chunk), `contentBlockStart` (a tool call's id and name), `contentBlockDelta` (text, tool input
 * fragments; with strict compliance off reasoning text as `reasoning_content`, its signature or
 * encrypted content as `thinking_blocks`), `contentBlockStop` (`{}` as the arguments of a
 * tool call that streamed no input, as OpenAI sends a call without parameters), `messageStop`
 * (finish reason; in dialect calls with `stop_details` for a stop sequence or a full context window), `metadata` (usage chunk when asked for, `onUsage`), and the exception events
 * (`throttlingException`, `validationException`, `modelStreamErrorException`,
 * `internalServerException`, `serviceUnavailableException`) as `event: error`. A stream whose body
 * ends, or breaks, after `messageStop` is whole (`ended`; its usage is in `metadata`, which follows it).
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html
 */
export function createBedrockStreamTransformer(options: StreamTransformerOptions): StreamTransformer {
  const { context, request } = options;
  const json = wantsBedrockJson(request.body);
  const chunks = createChunkFactory({
    id: context.generateId(),
    model: String(request.body.model ?? ''),
    created: Math.floor(context.now() / 1000),
  });
  let finished = false;
  /** An exception event ended the stream. */
  let failed = false;
  let stopped = false;
  let toolCount = 0;
  let answeredWithJsonTool = false;
  const toolIndexOfBlock = new Map<number, number>();
  /** Tool blocks that streamed some input: one that ends without any is sent `{}`, as OpenAI's. */
  const toolBlocksWithInput = new Set<number>();
  const jsonBlocks = new Set<number>();

  function handle(event: string, payload: BedrockStreamPayload, controller: StreamSink): void {
    const block = payload.contentBlockIndex ?? 0;
    switch (event) {
      case 'messageStart':
        controller.enqueue(chunks.chunk({ role: 'assistant', content: '' }));
        return;
      case 'contentBlockStart': {
        const tool = payload.start?.toolUse;
        if (!tool) return;
        if (json && tool.name === BEDROCK_JSON_TOOL_NAME) {
          jsonBlocks.add(block);
          answeredWithJsonTool = true;
          return;
        }
        const index = toolCount++;
        toolIndexOfBlock.set(block, index);
        controller.enqueue(
          chunks.chunk({
            tool_calls: [
              { index, id: tool.toolUseId, type: 'function', function: { name: tool.name, arguments: '' } },
            ],
          }),
        );
        return;
      }
      case 'contentBlockDelta': {
        const delta = payload.delta;
        if (typeof delta?.text === 'string') controller.enqueue(chunks.chunk({ content: delta.text }));
        else if (typeof delta?.toolUse?.input === 'string' && delta.toolUse.input !== '') {
          if (jsonBlocks.has(block)) controller.enqueue(chunks.chunk({ content: delta.toolUse.input }));
          const index = toolIndexOfBlock.get(block);
          if (index !== undefined) {
            toolBlocksWithInput.add(block);
            controller.enqueue(
              chunks.chunk({ tool_calls: [{ index, function: { arguments: delta.toolUse.input } }] }),
            );
          }
        } else if (!context.strictOpenAICompliance && delta?.reasoningContent) {
          const { text, signature, redactedContent } = delta.reasoningContent;
          if (typeof text === 'string') controller.enqueue(chunks.chunk({ reasoning_content: text }));
          // The signature and encrypted reasoning arrive as deltas of their own, as Anthropic's.
          const thinking = thinkingBlockOf(
            typeof signature === 'string' ? { text: '', signature } : undefined,
            redactedContent,
          );
          if (thinking !== undefined) controller.enqueue(chunks.chunk({ thinking_blocks: [thinking] }));
        }
        return;
      }
      case 'contentBlockStop': {
        const index = toolIndexOfBlock.get(block);
        if (index === undefined || toolBlocksWithInput.has(block)) return;
        toolBlocksWithInput.add(block);
        controller.enqueue(chunks.chunk({ tool_calls: [{ index, function: { arguments: '{}' } }] }));
        return;
      }
      case 'messageStop': {
        stopped = true;
        const jsonAnswer = answeredWithJsonTool && toolCount === 0;
        const details =
          context.stopDetails === true && !jsonAnswer
            ? bedrockStopDetails(payload.stopReason, request.body)
            : undefined;
        controller.enqueue(
          chunks.chunk(
            details === undefined ? {} : { stop_details: details },
            jsonAnswer
              ? finishReasonFor(context, 'end_turn', 'stop')
              : finishReasonFor(context, payload.stopReason, mapBedrockStopReason(payload.stopReason)),
          ),
        );
        return;
      }
      case 'metadata': {
        finished = true;
        const usage = toOpenAIUsageFromBedrock(payload.usage);
        options.onUsage(usage);
        if (request.clientWantsUsage) controller.enqueue(chunks.usage(usage));
        return;
      }
      default:
        if (/exception$/i.test(event) || event === 'error') {
          finished = true;
          failed = true;
          const type = event === 'error' ? (payload.code ?? event) : event;
          controller.enqueue(streamErrorOutput(payload.message ?? 'the provider reported an error', type));
        }
    }
  }

  return {
    transform(message, controller) {
      if (finished) return;
      const parsed = bedrockStreamPayloadSchema.safeParse(parseJsonOrUndefined(message.data));
      if (parsed.success) handle(message.event ?? '', parsed.data, controller);
    },
    flush(controller) {
      if (finished || stopped) return;
      controller.enqueue(streamInterrupted('the provider stream ended before messageStop'));
    },
    ended: () => !failed && (stopped || finished),
  };
}
