import { isRecord } from '../model/is-record.js';
import { GuardrailDeniedError } from '../run/guardrail-denied-error.js';
import { rebuiltAnswer } from './rebuilt-answer.js';
import { type CancellableByteStream, guardSseFrames, parseSseFrame } from './sse-frames.js';
import { deniedStreamResults, type StreamHooksOptions, streamResultsAtEnd } from './stream-results.js';
import { DEFAULT_HOLDBACK_CHARS, TextWindowGuard } from './text-window-guard.js';

export type { CancellableByteStream } from './sse-frames.js';

/**
 * What {@link guardSseStream} needs; with strict OpenAI compliance off, a final
 * `data: {"hook_results": …}` frame precedes `[DONE]`.
 */
export type SseGuardOptions = StreamHooksOptions;

/** The text of a chunk's choice (`delta.content` for chat, `text` for completions). */
function choiceText(
  choice: Record<string, unknown>,
): { text: string; set: (value: string) => Record<string, unknown> } | undefined {
  if (typeof choice.text === 'string') return { text: choice.text, set: (text) => ({ ...choice, text }) };
  const delta = choice.delta;
  if (isRecord(delta) && typeof delta.content === 'string')
    return { text: delta.content, set: (content) => ({ ...choice, delta: { ...delta, content } }) };
  return undefined;
}

/** Whether a choice still says something once its text is emptied (role, tool calls, finish). */
function hasMoreThanText(choice: Record<string, unknown>): boolean {
  if (choice.finish_reason != null) return true;
  const delta = choice.delta;
  return isRecord(delta) && Object.keys(delta).some((key) => key !== 'content');
}

/**
 * Runs a streamed answer's after-request hooks while it streams (ARCHITECTURE §1, step 8). OpenAI
 * SSE bytes in, OpenAI SSE bytes out: each choice's text is held back by a window of characters and
 * checked incrementally (see {@link TextWindowGuard}) before it is sent, redactions included. When a
 * `deny` check fails, nothing more is sent: the stream ends with `event: error` carrying the 446
 * envelope and `hook_results`, and the upstream is cancelled. Checks that need the whole text run
 * after the last chunk; with strict OpenAI compliance off, their verdicts (and the before-request
 * hooks') go out as `data: {"hook_results": …}` before `[DONE]`. The status is already sent then.
 */
export function guardSseStream(
  source: CancellableByteStream,
  options: SseGuardOptions,
): CancellableByteStream {
  const guard = new TextWindowGuard(options.hooks, options.holdbackChars ?? DEFAULT_HOLDBACK_CHARS);
  let template: Record<string, unknown> | undefined;

  function frame(data: unknown): string {
    return `data: ${JSON.stringify(data)}\n\n`;
  }

  /**
   * A chunk carrying released text for choices whose own chunk has no text to carry it: a chat
   * stream's finish chunk (`{"delta":{},"finish_reason":"stop"}`, as OpenAI ends every choice), or
   * the end of the stream. Shaped as the request type's chunks (`delta.content`, or `text` for
   * completions).
   */
  function releaseChunk(releases: ReadonlyMap<number, string>): string {
    if (releases.size === 0 || template === undefined) return '';
    const completions = options.context.requestType === 'complete';
    const choices = [...releases].map(([index, text]) =>
      completions
        ? { index, text, logprobs: null, finish_reason: null }
        : { index, delta: { content: text }, logprobs: null, finish_reason: null },
    );
    return frame({ ...template, choices });
  }

  function answerSoFar(): Record<string, unknown> {
    return rebuiltAnswer(
      template,
      guard.choices().map((index) => ({ index, text: guard.fullText(index) })),
      options.context.requestType,
    );
  }

  async function deniedFrame(): Promise<string> {
    const results = await deniedStreamResults(guard, options, answerSoFar());
    return `event: error\ndata: ${JSON.stringify(new GuardrailDeniedError(results).toEnvelope())}\n\n`;
  }

  /** Handles one SSE frame; returns the text to send, and whether the stream must stop. */
  async function onFrame(raw: string): Promise<{ out: string; stop: boolean }> {
    const { event, data } = parseSseFrame(raw);
    if (event === 'error') return { out: `${raw}\n\n`, stop: true };
    if (data === '[DONE]') return { out: await finish(true), stop: true };
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return { out: `${raw}\n\n`, stop: false };
    }
    if (!isRecord(chunk) || !Array.isArray(chunk.choices) || chunk.choices.length === 0)
      return { out: `${raw}\n\n`, stop: false };
    template ??= { ...chunk, choices: [] };
    const choices: unknown[] = [];
    // Text finishing released for choices whose chunk has no text field: sent in a chunk just before.
    const releasedBefore = new Map<number, string>();
    for (const choice of chunk.choices as unknown[]) {
      if (!isRecord(choice)) {
        choices.push(choice);
        continue;
      }
      const index = typeof choice.index === 'number' ? choice.index : 0;
      const text = choiceText(choice);
      let release = '';
      if (text !== undefined && text.text !== '') {
        const step = guard.push(index, text.text);
        if (step.denied) return { out: await deniedFrame(), stop: true };
        release = step.release;
      }
      if (choice.finish_reason != null) {
        const step = guard.finish(index);
        if (step.denied) return { out: await deniedFrame(), stop: true };
        release += step.release;
      }
      if (text === undefined) {
        if (release !== '') releasedBefore.set(index, release);
        choices.push(choice);
      } else if (release !== '' || hasMoreThanText(choice) || text.text === '')
        choices.push(text.set(release));
    }
    const before = releaseChunk(releasedBefore);
    if (choices.length === 0) return { out: before, stop: false };
    return { out: before + frame({ ...chunk, choices }), stop: false };
  }

  /** Releases what every choice still holds, then the results frame and `[DONE]`. */
  async function finish(sawDone: boolean): Promise<string> {
    const releases = new Map<number, string>();
    for (const index of guard.choices()) {
      const step = guard.finish(index);
      if (step.denied) return deniedFrame();
      if (step.release !== '') releases.set(index, step.release);
    }
    let out = releaseChunk(releases);
    const results = await streamResultsAtEnd(guard, options, answerSoFar());
    if (!options.strictOpenAICompliance) out += frame({ hook_results: results });
    if (sawDone) out += 'data: [DONE]\n\n';
    return out;
  }

  return guardSseFrames(source, { onFrame, atEnd: () => finish(false) });
}
