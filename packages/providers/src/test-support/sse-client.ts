import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Reads a whole SSE byte stream into its events. */
export async function readSseEvents(stream: AsyncIterable<Uint8Array>): Promise<EventSourceMessage[]> {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const decoder = new TextDecoder();
  for await (const bytes of stream) parser.feed(decoder.decode(bytes, { stream: true }));
  return events;
}

/** What a client rebuilds from a chat stream. */
export interface CollectedChatStream {
  content: string;
  reasoning: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReason: string | null;
  usage: unknown;
  usageChunks: number;
  done: boolean;
  error: unknown;
}

/** Rebuilds content, tool calls (by index), finish reason and usage from the events of a chat stream. */
export function collectChatStream(events: readonly EventSourceMessage[]): CollectedChatStream {
  const collected: CollectedChatStream = {
    content: '',
    reasoning: '',
    toolCalls: [],
    finishReason: null,
    usage: undefined,
    usageChunks: 0,
    done: false,
    error: undefined,
  };
  for (const event of events) {
    if (event.data === '[DONE]') {
      collected.done = true;
      continue;
    }
    const json = JSON.parse(event.data) as {
      error?: unknown;
      usage?: unknown;
      choices?: {
        delta?: {
          content?: string | null;
          reasoning_content?: string;
          tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[];
        };
        finish_reason?: string | null;
      }[];
    };
    if (event.event === 'error') {
      collected.error = json.error;
      continue;
    }
    if (json.usage) {
      collected.usage = json.usage;
      collected.usageChunks += 1;
    }
    for (const choice of json.choices ?? []) {
      collected.content += choice.delta?.content ?? '';
      collected.reasoning += choice.delta?.reasoning_content ?? '';
      for (const call of choice.delta?.tool_calls ?? []) {
        const current = collected.toolCalls[call.index] ?? { id: '', name: '', arguments: '' };
        collected.toolCalls[call.index] = current;
        current.id += call.id ?? '';
        current.name += call.function?.name ?? '';
        current.arguments += call.function?.arguments ?? '';
      }
      if (choice.finish_reason) collected.finishReason = choice.finish_reason;
    }
  }
  return collected;
}
