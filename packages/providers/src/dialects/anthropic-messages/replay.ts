import { isJsonObject } from '../../shared/json.js';

function frame(event: Record<string, unknown> & { readonly type: string }): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** The start of a block and its deltas, as the Messages API streams that block. */
function blockFrames(block: Record<string, unknown>, index: number): string {
  const delta = (value: Record<string, unknown>) =>
    frame({ type: 'content_block_delta', index, delta: value });
  const start = (contentBlock: Record<string, unknown>) =>
    frame({ type: 'content_block_start', index, content_block: contentBlock });
  switch (block.type) {
    case 'text':
      return start({ ...block, text: '' }) + delta({ type: 'text_delta', text: String(block.text ?? '') });
    case 'tool_use':
      return (
        start({ ...block, input: {} }) +
        delta({ type: 'input_json_delta', partial_json: JSON.stringify(block.input ?? {}) })
      );
    case 'thinking':
      return (
        start({ ...block, thinking: '', signature: '' }) +
        delta({ type: 'thinking_delta', thinking: String(block.thinking ?? '') }) +
        delta({ type: 'signature_delta', signature: String(block.signature ?? '') })
      );
    default:
      return start(block);
  }
}

/**
 * Replays a stored Message as a Messages stream (a streamed request answered from an entry stored by
 * a non-streamed one): `message_start` (empty content, input usage), each block as
 * `content_block_start` / one delta / `content_block_stop`, `message_delta` (stop reason, usage),
 * `message_stop`. The SDK's accumulator rebuilds the same Message from it.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
export function messagesStreamOf(message: Readonly<Record<string, unknown>>): string {
  const usage = isJsonObject(message.usage) ? message.usage : {};
  const content = Array.isArray(message.content) ? (message.content as Record<string, unknown>[]) : [];
  let text = frame({
    type: 'message_start',
    message: {
      ...message,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 0 },
    },
  });
  content.forEach((block, index) => {
    text += blockFrames(block, index) + frame({ type: 'content_block_stop', index });
  });
  text += frame({
    type: 'message_delta',
    delta: { stop_reason: message.stop_reason ?? 'end_turn', stop_sequence: message.stop_sequence ?? null },
    usage,
  });
  return text + frame({ type: 'message_stop' });
}
