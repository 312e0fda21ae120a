import type { OpenAIErrorEnvelope } from '@pk/config';
import { signedIdOfToolCall } from '../../google/signed-tool-call-id.js';
import type { OpenAIFinishReason, StopDetails } from '../../openai-format/chat-completion.js';
import type { ChatCompletionChunk } from '../../openai-format/chat-completion-chunk.js';
import type { OpenAIUsage } from '../../openai-format/usage.js';
import { isJsonObject, parseJsonOrUndefined } from '../../shared/json.js';
import { ToolCallSequencer } from '../../shared/tool-call-sequencer.js';
import type {
  ProviderContext,
  StreamOutput,
  StreamSink,
  StreamTransformer,
} from '../../spec/provider-adapter.js';
import { isFilterOnlyChunk } from '../filter-only-chunk.js';
import { messagesErrorOutput } from './errors.js';
import { messagesStopOf } from './stop-reason.js';
import { messagesUsageOf } from './usage.js';

type Delta = ChatCompletionChunk['choices'][number]['delta'];
type BlockKind = 'text' | 'thinking' | 'tool_use';

/** A named Anthropic event as a stream item. */
function eventOutput(event: Record<string, unknown> & { readonly type: string }): StreamOutput {
  return { type: 'data', event: event.type, data: JSON.stringify(event) };
}

/**
 * OpenAI chat chunks → Anthropic Messages stream events, as a state machine around the adapter's own
 * transformer (vendor events → chat chunks): `message_start` and a `ping` at the first chunk; one
 * content block per run of text, of reasoning (`thinking`, its signature as `signature_delta`) and per
 * tool call (`tool_use`, arguments as `input_json_delta`), each opened with `content_block_start` and
 * closed with `content_block_stop` when the next begins; at the end `message_delta` with the stop
 * reason and the whole usage (input tokens are known only then; the SDK's accumulator takes them from
 * here; `stop_sequence` from the adapter's `stop_details`), then `message_stop`. A chat error item becomes Anthropic's `event: error` and ends the stream.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
export function createMessagesChatStreamTransformer(options: {
  readonly inner: StreamTransformer;
  readonly context: ProviderContext;
}): StreamTransformer {
  const { inner, context } = options;
  let sink: StreamSink = { enqueue: () => {} };
  let started = false;
  let failed = false;
  let blockCount = 0;
  let open: { readonly kind: BlockKind; readonly index: number } | undefined;
  // Each call a `tool_use` block of its own, started, given its input and stopped in turn.
  const calls = new ToolCallSequencer<number>(
    {
      open: (call) => openBlock('tool_use', { type: 'tool_use', id: call.id, name: call.name, input: {} }),
      args: (index, fragment) => delta(index, { type: 'input_json_delta', partial_json: fragment }),
      close: () => close(),
    },
    () => context.generateId(),
  );
  let finishReason: OpenAIFinishReason | null = null;
  let stopDetails: StopDetails | undefined;
  let refused = false;
  let usage: OpenAIUsage | undefined;

  function start(chunk: Partial<ChatCompletionChunk>): void {
    started = true;
    sink.enqueue(
      eventOutput({
        type: 'message_start',
        message: {
          id: typeof chunk.id === 'string' ? chunk.id : context.generateId(),
          type: 'message',
          role: 'assistant',
          model: typeof chunk.model === 'string' ? chunk.model : '',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: messagesUsageOf(undefined),
        },
      }),
    );
    sink.enqueue(eventOutput({ type: 'ping' }));
  }

  function close(): void {
    if (open === undefined) return;
    sink.enqueue(eventOutput({ type: 'content_block_stop', index: open.index }));
    open = undefined;
  }

  function openBlock(kind: BlockKind, block: Record<string, unknown>): number {
    close();
    const index = blockCount++;
    sink.enqueue(eventOutput({ type: 'content_block_start', index, content_block: block }));
    open = { kind, index };
    return index;
  }

  function delta(index: number, value: Record<string, unknown>): void {
    sink.enqueue(eventOutput({ type: 'content_block_delta', index, delta: value }));
  }

  function blockOf(kind: 'text' | 'thinking'): number {
    if (open?.kind === kind) return open.index;
    // The calls before this block end first (a held one in full).
    calls.finish();
    return kind === 'text'
      ? openBlock('text', { type: 'text', text: '' })
      : openBlock('thinking', { type: 'thinking', thinking: '', signature: '' });
  }

  function reasoning(value: Delta): void {
    if (typeof value.reasoning_content === 'string' && value.reasoning_content !== '') {
      delta(blockOf('thinking'), { type: 'thinking_delta', thinking: value.reasoning_content });
    }
    for (const block of value.thinking_blocks ?? []) {
      if (block.type === 'redacted_thinking') {
        calls.finish();
        openBlock('thinking', { type: 'redacted_thinking', data: block.data });
        close();
        continue;
      }
      if (block.thinking !== '')
        delta(blockOf('thinking'), { type: 'thinking_delta', thinking: block.thinking });
      if (block.signature !== '')
        delta(blockOf('thinking'), { type: 'signature_delta', signature: block.signature });
    }
  }

  function toolCalls(value: Delta): void {
    // A Gemini thought signature rides in the id (`idWithThoughtSignature`).
    for (const call of value.tool_calls ?? [])
      calls.push(
        call.id === undefined ? call : { ...call, id: signedIdOfToolCall({ ...call, id: call.id }) },
      );
  }

  function chunk(value: Partial<ChatCompletionChunk>): void {
    if (!started && isFilterOnlyChunk(value)) return;
    if (!started) start(value);
    if (isJsonObject(value.usage)) usage = value.usage as OpenAIUsage;
    const choice = value.choices?.find((candidate) => candidate.index === 0);
    if (choice === undefined) return;
    // Azure's asynchronous content filter sends annotation chunks: a choice with filter results and no delta.
    const change: Delta = choice.delta ?? {};
    reasoning(change);
    if (typeof change.content === 'string' && change.content !== '') {
      delta(blockOf('text'), { type: 'text_delta', text: change.content });
    }
    // The model's refusal (Structured Outputs) streams as text, and the turn ends as a refusal.
    if (typeof change.refusal === 'string' && change.refusal !== '') {
      refused = true;
      delta(blockOf('text'), { type: 'text_delta', text: change.refusal });
    }
    toolCalls(change);
    if (change.stop_details) stopDetails = change.stop_details;
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }

  function fail(envelope: OpenAIErrorEnvelope): void {
    failed = true;
    sink.enqueue(messagesErrorOutput(envelope));
  }

  const innerSink: StreamSink = {
    enqueue(output) {
      if (failed) return;
      if (output.type === 'error') {
        fail(output.envelope);
        return;
      }
      const parsed = parseJsonOrUndefined(output.data);
      if (isJsonObject(parsed)) chunk(parsed as Partial<ChatCompletionChunk>);
    },
  };

  return {
    transform(event, outer) {
      if (failed) return;
      sink = outer;
      inner.transform(event, innerSink);
    },
    usageSoFar: () => inner.usageSoFar?.(),
    // The vendor's stream ended in its own terms: `flush` then closes this dialect's stream.
    ended: () => !failed && inner.ended?.() === true,
    flush(outer) {
      if (failed) return;
      sink = outer;
      inner.flush?.(innerSink);
      if (failed) return;
      if (!started) start({});
      calls.finish();
      close();
      const totals = messagesUsageOf(usage);
      sink.enqueue(
        eventOutput({
          type: 'message_delta',
          delta: messagesStopOf(finishReason, stopDetails, refused),
          usage: totals,
        }),
      );
      sink.enqueue(eventOutput({ type: 'message_stop' }));
    },
    errorOutput: messagesErrorOutput,
  };
}
