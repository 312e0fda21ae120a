import { createUtf8StreamDecoder, isFilterOnlyChunk } from '@pk/providers';

/** One streamed tool call being put together. */
interface ToolCallParts {
  id?: string;
  type: string;
  name: string;
  arguments: string;
}

/** One choice being put together. */
interface ChoiceParts {
  role: string;
  content: string;
  hasContent: boolean;
  refusal: string | undefined;
  toolCalls: Map<number, ToolCallParts>;
  finishReason: string | null;
}

/**
 * Rebuilds a `chat.completion` from the OpenAI SSE bytes a client received, so a streamed answer can
 * be cached once it has completed cleanly. Feed it every byte; `result()` gives the completion only
 * when `data: [DONE]` was seen and no `event: error` frame was (never a cut or broken stream).
 */
export class ChatStreamAccumulator {
  #buffer = '';
  #done = false;
  #failed = false;
  #base: Record<string, unknown> | undefined;
  #usage: unknown;
  readonly #choices = new Map<number, ChoiceParts>();
  readonly #decoder = createUtf8StreamDecoder();

  /** Takes the next bytes of the stream. */
  push(bytes: Uint8Array): void {
    if (this.#failed) return;
    this.#buffer += this.#decoder.write(bytes);
    for (let end = this.#buffer.indexOf('\n\n'); end !== -1; end = this.#buffer.indexOf('\n\n')) {
      const frame = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      this.#frame(frame);
    }
  }

  #frame(frame: string): void {
    let data = '';
    for (const line of frame.split('\n')) {
      if (line.startsWith('event:') && line.slice(6).trim() === 'error') this.#failed = true;
      else if (line.startsWith('data:')) data += line.slice(line.startsWith('data: ') ? 6 : 5);
    }
    if (this.#failed || data === '') return;
    if (data === '[DONE]') {
      this.#done = true;
      return;
    }
    let chunk: Record<string, unknown>;
    try {
      chunk = JSON.parse(data) as Record<string, unknown>;
    } catch {
      this.#failed = true;
      return;
    }
    if (chunk.error !== undefined) {
      this.#failed = true;
      return;
    }
    // Azure's filter-only first chunk (`id: ""`, `model: ""`, `created: 0`) names no answer: the next does.
    if (this.#base === undefined && !isFilterOnlyChunk(chunk)) {
      this.#base = {
        id: chunk.id,
        created: chunk.created,
        model: chunk.model,
        system_fingerprint: chunk.system_fingerprint,
      };
    }
    if (chunk.usage) this.#usage = chunk.usage;
    for (const choice of (chunk.choices as Record<string, unknown>[] | undefined) ?? []) this.#choice(choice);
  }

  #choice(choice: Record<string, unknown>): void {
    const index = typeof choice.index === 'number' ? choice.index : 0;
    let parts = this.#choices.get(index);
    if (!parts) {
      parts = {
        role: 'assistant',
        content: '',
        hasContent: false,
        refusal: undefined,
        toolCalls: new Map(),
        finishReason: null,
      };
      this.#choices.set(index, parts);
    }
    const delta = (choice.delta ?? {}) as Record<string, unknown>;
    if (typeof delta.role === 'string') parts.role = delta.role;
    if (typeof delta.content === 'string') {
      parts.content += delta.content;
      parts.hasContent = true;
    }
    if (typeof delta.refusal === 'string') parts.refusal = (parts.refusal ?? '') + delta.refusal;
    for (const call of (delta.tool_calls as Record<string, unknown>[] | undefined) ?? []) {
      const callIndex = typeof call.index === 'number' ? call.index : 0;
      const existing = parts.toolCalls.get(callIndex) ?? { type: 'function', name: '', arguments: '' };
      const fn = (call.function ?? {}) as Record<string, unknown>;
      if (typeof call.id === 'string') existing.id = call.id;
      if (typeof call.type === 'string') existing.type = call.type;
      if (typeof fn.name === 'string') existing.name += fn.name;
      if (typeof fn.arguments === 'string') existing.arguments += fn.arguments;
      parts.toolCalls.set(callIndex, existing);
    }
    if (typeof choice.finish_reason === 'string') parts.finishReason = choice.finish_reason;
  }

  /** The rebuilt completion, or `undefined` when the stream did not complete cleanly. */
  result(): Record<string, unknown> | undefined {
    if (!this.#done || this.#failed || this.#base === undefined) return undefined;
    const choices = [...this.#choices.entries()]
      .sort(([left], [right]) => left - right)
      .map(([index, parts]) => ({
        index,
        message: {
          role: parts.role,
          content: parts.hasContent || parts.toolCalls.size === 0 ? parts.content : null,
          ...(parts.refusal === undefined ? {} : { refusal: parts.refusal }),
          ...(parts.toolCalls.size === 0
            ? {}
            : {
                tool_calls: [...parts.toolCalls.values()].map((call) => ({
                  id: call.id,
                  type: call.type,
                  function: { name: call.name, arguments: call.arguments },
                })),
              }),
        },
        logprobs: null,
        finish_reason: parts.finishReason,
      }));
    if (choices.some((choice) => choice.finish_reason === null)) return undefined;
    return {
      ...this.#base,
      object: 'chat.completion',
      choices,
      ...(this.#usage === undefined ? {} : { usage: this.#usage }),
    };
  }
}
