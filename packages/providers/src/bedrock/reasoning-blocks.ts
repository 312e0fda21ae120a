import type { ThinkingBlock } from '../openai-format/chat-completion-request.js';

/**
 * Converse reasoning ↔ pk's `thinking_blocks` (LiteLLM's convention, as for Anthropic): Claude needs
 * the reasoning of its earlier turns back unchanged, signature or encrypted content included, or it
 * refuses a tool-use turn with thinking enabled.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ReasoningContentBlock.html
 */

/**
 * A Converse `reasoningContent` block as a thinking block: signed reasoning text, or encrypted
 * (`redactedContent`, base64); unsigned reasoning (models that sign nothing) is none.
 */
export function thinkingBlockOf(
  reasoningText:
    | { readonly text?: string | null | undefined; readonly signature?: string | null | undefined }
    | null
    | undefined,
  redactedContent: string | null | undefined,
): ThinkingBlock | undefined {
  if (typeof redactedContent === 'string') return { type: 'redacted_thinking', data: redactedContent };
  if (typeof reasoningText?.signature !== 'string') return undefined;
  return { type: 'thinking', thinking: reasoningText.text ?? '', signature: reasoningText.signature };
}

/** An assistant message's thinking blocks as Converse `reasoningContent` blocks, in order. */
export function bedrockReasoningBlocks(
  blocks: readonly ThinkingBlock[] | null | undefined,
): Record<string, unknown>[] {
  return (blocks ?? []).map((block) =>
    block.type === 'redacted_thinking'
      ? { reasoningContent: { redactedContent: block.data } }
      : { reasoningContent: { reasoningText: { text: block.thinking, signature: block.signature } } },
  );
}
