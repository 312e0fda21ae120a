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
  /** The chunks' `logprobs.content` and `logprobs.refusal` tokens in order, once a chunk had some. */
  logprobs: { content: unknown[]; refusal: unknown[] | null } | undefined;
  /** Text fields of the delta a provider adds (`reasoning_content`, `reasoning`), joined. */
  extraText: Map<string, string>;
}

/** Delta members rebuilt by their own rules. */
const KNOWN_DELTA_FIELDS: ReadonlySet<string> = new Set(['role', 'content', 'refusal', 'tool_calls']);
/** Delta members that are pieces of one text, joined like `content` (a reasoning model's, non-strict). */
const TEXT_DELTA_FIELDS: ReadonlySet<string> = new Set(['reasoning_content', 'reasoning']);

/**
 * Rebuilds a `chat.completion` from the OpenAI SSE bytes a client received, so a streamed answer can
 * be cached once it has completed cleanly. Feed it every byte; `result()` gives the completion only
 * when `data: [DONE]` was seen and no `event: error` frame was (never a cut or broken stream), and
 * only when it could rebuild all of it: content, refusal, tool calls, `logprobs` (the chunks' tokens
 * in order) and a reasoning model's `reasoning_content`/`reasoning` text; a delta member it does not
 * know (`audio`, `annotations` …) means no completion (the answer is not stored rather than stored
 * without it).
 */
export class ChatStreamAccumulator {
  #buffer = '';
  #done = false;
  #failed = false;
  /** A delta member it cannot put back together (`audio`, `annotations` …): the answer is not stored. */
  #unknown = false;
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
        logprobs: undefined,
        extraText: new Map(),
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
    for (const [name, value] of Object.entries(delta)) {
      if (KNOWN_DELTA_FIELDS.has(name) || value === null || value === undefined) continue;
      if (TEXT_DELTA_FIELDS.has(name) && typeof value === 'string')
        parts.extraText.set(name, (parts.extraText.get(name) ?? '') + value);
      else if (!(Array.isArray(value) && value.length === 0)) this.#unknown = true;
    }
    const logprobs = choice.logprobs as { content?: unknown; refusal?: unknown } | null | undefined;
    if (typeof logprobs === 'object' && logprobs !== null) {
      parts.logprobs ??= { content: [], refusal: null };
      if (Array.isArray(logprobs.content)) parts.logprobs.content.push(...logprobs.content);
      if (Array.isArray(logprobs.refusal)) {
        parts.logprobs.refusal ??= [];
        parts.logprobs.refusal.push(...logprobs.refusal);
      }
    }
    if (typeof choice.finish_reason === 'string') parts.finishReason = choice.finish_reason;
  }

  /** The rebuilt completion, or `undefined` when the stream did not complete cleanly. */
  result(): Record<string, unknown> | undefined {
    if (!this.#done || this.#failed || this.#unknown || this.#base === undefined) return undefined;
    const choices = [...this.#choices.entries()]
      .sort(([left], [right]) => left - right)
      .map(([index, parts]) => ({
        index,
        message: {
          role: parts.role,
          content: parts.hasContent || parts.toolCalls.size === 0 ? parts.content : null,
          ...Object.fromEntries(parts.extraText),
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
        logprobs: parts.logprobs ?? null,
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
