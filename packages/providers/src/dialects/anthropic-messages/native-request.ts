import { isJsonObject } from '../../shared/json.js';
import { mapChangedItems, withUnsignedToolCallId } from '../unsigned-tool-call-ids.js';

/**
 * A Messages body for a target that speaks Messages natively (Anthropic, Claude on Bedrock and Vertex
 * AI): every `tool_use.id` and `tool_result.tool_use_id` that carries a Gemini thought signature is
 * given back as the call's own id (the signature means nothing to Claude, and the id would be long).
 * The body itself when no id carries one, so the client's bytes can still be sent as they came.
 */
export function messagesWithoutThoughtSignatures(
  body: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  const messages = body.messages;
  if (!Array.isArray(messages)) return body;
  const unsigned = mapChangedItems(messages, messageWithoutThoughtSignatures);
  return unsigned === messages ? body : { ...body, messages: unsigned };
}

function messageWithoutThoughtSignatures(message: unknown): unknown {
  if (!isJsonObject(message) || !Array.isArray(message.content)) return message;
  const content = mapChangedItems(message.content, blockWithoutThoughtSignature);
  return content === message.content ? message : { ...message, content };
}

function blockWithoutThoughtSignature(block: unknown): unknown {
  if (!isJsonObject(block)) return block;
  if (block.type === 'tool_use') return withUnsignedToolCallId(block, 'id');
  if (block.type === 'tool_result') return withUnsignedToolCallId(block, 'tool_use_id');
  return block;
}
