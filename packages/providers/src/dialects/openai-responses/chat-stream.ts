import { signedIdOfToolCall, splitThoughtSignature } from '../../google/signed-tool-call-id.js';
import type { OpenAIFinishReason } from '../../openai-format/chat-completion.js';
import type { ChatCompletionChunk } from '../../openai-format/chat-completion-chunk.js';
import type { OpenAIUsage } from '../../openai-format/usage.js';
import { isJsonObject, parseJsonOrUndefined } from '../../shared/json.js';
import { ToolCallSequencer } from '../../shared/tool-call-sequencer.js';
import type { ProviderContext, StreamSink, StreamTransformer } from '../../spec/provider-adapter.js';
import { isFilterOnlyChunk } from '../filter-only-chunk.js';
import { type ItemState, ResponsesEventWriter } from './event-writer.js';
import {
  functionItemId,
  messageItemId,
  type ResponsesOutputItem,
  responseId,
  responseObjectOf,
  responsesStatusOf,
  responsesUsageOf,
} from './response-object.js';

/**
 * OpenAI chat chunks → Responses API stream events, as a state machine around the adapter's own
 * transformer: `response.created` and `response.in_progress` at the first chunk; the text as one
 * `message` item and each tool call as a `function_call` item (each item closed when the next
 * begins; calls whose arguments arrive interleaved are put in turn by `ToolCallSequencer`); at the end `response.completed` (or `response.incomplete` after `finish_reason: length`)
 * carrying the whole Response with usage, the same object the non-streamed call returns. A chat error
 * item becomes the `error` event and ends the stream.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export function createResponsesChatStreamTransformer(options: {
  readonly inner: StreamTransformer;
  readonly request: Readonly<Record<string, unknown>>;
  readonly context: ProviderContext;
  readonly droppedChatParameters?: ReadonlySet<string>;
}): StreamTransformer {
  const { inner, request, context, droppedChatParameters } = options;
  const writer = new ResponsesEventWriter();
  let sink: StreamSink = { enqueue: () => {} };
  let started = false;
  let failed = false;
  let chatId = '';
  let model = String(request.model ?? '');
  let createdAt = Math.floor(context.now() / 1000);
  let open: ItemState | undefined;
  const done: ResponsesOutputItem[] = [];
  // Each call a `function_call` item of its own, opened, given its arguments and closed in turn.
  const calls = new ToolCallSequencer<ItemState>(
    {
      open: (call) =>
        openItem({
          id: functionItemId(splitThoughtSignature(call.id).id),
          type: 'function_call',
          status: 'in_progress',
          call_id: call.id,
          name: call.name,
          arguments: '',
        }),
      args: (state, fragment) => sink.enqueue(writer.delta(state, fragment)),
      close: () => close(),
    },
    () => context.generateId(),
  );
  let messages = 0;
  let finishReason: OpenAIFinishReason | null = null;
  let usage: OpenAIUsage | undefined;

  const emit = (outputs: readonly ReturnType<ResponsesEventWriter['event']>[]) => {
    for (const output of outputs) sink.enqueue(output);
  };

  function shell(
    status: 'in_progress' | 'completed' | 'incomplete',
    incompleteDetails: { reason: string } | null,
  ) {
    return responseObjectOf(request, {
      id: responseId(chatId),
      createdAt,
      model,
      status,
      incompleteDetails,
      output: status === 'in_progress' ? [] : done,
      usage: status === 'in_progress' ? null : responsesUsageOf(usage),
      droppedChatParameters,
    });
  }

  function start(chunk: Partial<ChatCompletionChunk>): void {
    started = true;
    chatId = typeof chunk.id === 'string' ? chunk.id : context.generateId();
    if (typeof chunk.model === 'string' && chunk.model !== '') model = chunk.model;
    if (typeof chunk.created === 'number') createdAt = chunk.created;
    const response = shell('in_progress', null);
    emit([
      writer.event('response.created', { response }),
      writer.event('response.in_progress', { response }),
    ]);
  }

  function close(): void {
    if (open === undefined) return;
    const finished = writer.itemDone(open);
    done.push(finished.item);
    emit(finished.outputs);
    open = undefined;
  }

  function openItem(item: ResponsesOutputItem, refusal = false): ItemState {
    close();
    const state: ItemState = { item, outputIndex: done.length, text: '', refusal };
    open = state;
    emit(writer.itemAdded(state));
    return state;
  }

  /** The answer's text, or (`refusal`) the model's refusal: each a message item of its own. */
  function text(delta: string, refusal = false): void {
    let state = open;
    if (state?.item.type !== 'message' || state.refusal !== refusal) {
      // The calls before the text end first (a held one in full).
      calls.finish();
      const id = messages === 0 ? messageItemId(chatId) : `${messageItemId(chatId)}_${messages}`;
      messages += 1;
      state = openItem(
        { id, type: 'message', status: 'in_progress', role: 'assistant', content: [] },
        refusal,
      );
    }
    sink.enqueue(writer.delta(state, delta));
  }

  function toolCalls(delta: ChatCompletionChunk['choices'][number]['delta']): void {
    // A Gemini thought signature rides in the call id (`idWithThoughtSignature`).
    for (const call of delta.tool_calls ?? [])
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
    const delta: ChatCompletionChunk['choices'][number]['delta'] = choice.delta ?? {};
    if (typeof delta.content === 'string' && delta.content !== '') text(delta.content);
    if (typeof delta.refusal === 'string' && delta.refusal !== '') text(delta.refusal, true);
    toolCalls(delta);
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }

  const innerSink: StreamSink = {
    enqueue(output) {
      if (failed) return;
      if (output.type === 'error') {
        failed = true;
        sink.enqueue(writer.error(output.envelope));
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
      const { status, incompleteDetails } = responsesStatusOf(finishReason);
      const response = shell(status, incompleteDetails);
      for (const item of response.output) if (item.type === 'message') Object.assign(item, { status });
      sink.enqueue(
        writer.event(status === 'completed' ? 'response.completed' : 'response.incomplete', { response }),
      );
    },
    errorOutput: (envelope) => writer.error(envelope),
  };
}
