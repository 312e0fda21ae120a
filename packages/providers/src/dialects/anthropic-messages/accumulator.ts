import { isJsonObject, parseJsonOrUndefined } from '../../shared/json.js';
import { createSseDecoder } from '../../shared/sse-decoder.js';
import type { DialectStreamAccumulator } from '../client-dialect.js';

type Block = Record<string, unknown>;

/**
 * Rebuilds the Message from the Messages stream bytes a client received (as the Anthropic SDK's
 * `MessageStream` does), so a streamed answer can be cached: `result()` gives it only once
 * `message_stop` was seen and no `error` event was.
 */
export function createMessagesStreamAccumulator(): DialectStreamAccumulator {
  const decoder = createSseDecoder();
  let message: Record<string, unknown> | undefined;
  let content: Block[] = [];
  const partialJson = new Map<number, string>();
  let done = false;
  let failed = false;

  function apply(event: Record<string, unknown>): void {
    const index = typeof event.index === 'number' ? event.index : -1;
    switch (event.type) {
      case 'message_start':
        if (isJsonObject(event.message)) {
          message = { ...event.message };
          content = [];
        }
        return;
      case 'content_block_start':
        if (isJsonObject(event.content_block)) content[index] = { ...event.content_block };
        return;
      case 'content_block_delta': {
        const block = content[index];
        const delta = event.delta;
        if (!block || !isJsonObject(delta)) return;
        if (delta.type === 'text_delta') block.text = String(block.text ?? '') + String(delta.text ?? '');
        else if (delta.type === 'thinking_delta')
          block.thinking = String(block.thinking ?? '') + String(delta.thinking ?? '');
        else if (delta.type === 'signature_delta') block.signature = delta.signature;
        else if (delta.type === 'input_json_delta')
          partialJson.set(index, (partialJson.get(index) ?? '') + String(delta.partial_json ?? ''));
        else if (delta.type === 'citations_delta')
          block.citations = [...(Array.isArray(block.citations) ? block.citations : []), delta.citation];
        return;
      }
      case 'content_block_stop': {
        const json = partialJson.get(index);
        const block = content[index];
        if (json !== undefined && block) block.input = json === '' ? {} : parseJsonOrUndefined(json);
        return;
      }
      case 'message_delta': {
        if (!message) return;
        if (isJsonObject(event.delta)) Object.assign(message, event.delta);
        const usage = isJsonObject(event.usage) ? event.usage : {};
        const current = isJsonObject(message.usage) ? message.usage : {};
        message.usage = {
          ...current,
          ...Object.fromEntries(Object.entries(usage).filter(([, value]) => value !== null)),
        };
        return;
      }
      case 'message_stop':
        done = message !== undefined;
        return;
      default:
        return;
    }
  }

  return {
    push(bytes) {
      if (failed || done) return;
      let events: ReturnType<typeof decoder.push>;
      try {
        events = decoder.push(bytes);
      } catch {
        failed = true;
        return;
      }
      for (const event of events) {
        if (event.event === 'error') {
          failed = true;
          return;
        }
        const data = parseJsonOrUndefined(event.data);
        if (isJsonObject(data)) apply(data);
      }
    },
    result() {
      if (!done || failed || !message) return undefined;
      return { ...message, content: content.filter((block) => block !== undefined) };
    },
  };
}
