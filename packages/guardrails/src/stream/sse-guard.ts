import { isRecord } from '../model/is-record.js';
import { GuardrailDeniedError } from '../run/guardrail-denied-error.js';
import { ArgumentsWindowGuard } from './arguments-window-guard.js';
import { rebuiltAnswer, type ToolCallAsSent } from './rebuilt-answer.js';
import { type CancellableByteStream, guardSseFrames, parseSseFrame } from './sse-frames.js';
import {
  combinedVerdicts,
  deniedStreamResults,
  type StreamHooksOptions,
  streamResultsAtEnd,
} from './stream-results.js';
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

/** A streamed tool call's place (choice and `index`) and what its first delta said. */
interface ToolCallSeen {
  readonly choice: number;
  readonly index: number;
  id: unknown;
  name: unknown;
}

/** What a choice releases in a chunk of its own: held text and held tool-call arguments by call `index`. */
interface ChoiceRelease {
  text: string;
  readonly toolCalls: Map<number, string>;
}

/** Whether a tool-call delta says nothing once its arguments are emptied (only `index` and `function.arguments`). */
function isOnlyArguments(call: Record<string, unknown>, fn: Record<string, unknown>): boolean {
  return (
    Object.keys(call).every((key) => key === 'index' || key === 'function') && Object.keys(fn).length === 1
  );
}

/**
 * Runs a streamed answer's after-request hooks while it streams (ARCHITECTURE §1, step 8). OpenAI
 * SSE bytes in, OpenAI SSE bytes out: each choice's text is held back by a window of characters and
 * checked incrementally (see {@link TextWindowGuard}) before it is sent, redactions included; so are
 * the string values of each tool call's `function.arguments` (see {@link ArgumentsWindowGuard}), by
 * the checks that read tool calls in a JSON answer (pk's own). When a
 * `deny` check fails, nothing more is sent: the stream ends with `event: error` carrying the 446
 * envelope and `hook_results`, and the upstream is cancelled. Checks that need the whole text run
 * after the last chunk; with strict OpenAI compliance off, their verdicts (and the before-request
 * hooks') go out as `data: {"hook_results": …}` before `[DONE]`. The status is already sent then.
 */
export function guardSseStream(
  source: CancellableByteStream,
  options: SseGuardOptions,
): CancellableByteStream {
  const holdback = options.holdbackChars ?? DEFAULT_HOLDBACK_CHARS;
  const guard = new TextWindowGuard(options.hooks, holdback);
  // In a JSON chat answer, Portkey's `default.*` checks read the message content, pk's own read tool calls too.
  const args = new ArgumentsWindowGuard(
    options.hooks,
    holdback,
    (check) => check.definition.readsEveryText === true,
  );
  const verdicts = combinedVerdicts(guard, args);
  const toolCalls = new Map<string, ToolCallSeen>();
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
  function releaseChunk(releases: ReadonlyMap<number, ChoiceRelease>): string {
    if (releases.size === 0 || template === undefined) return '';
    const completions = options.context.requestType === 'complete';
    const choices = [...releases].map(([index, { text, toolCalls: calls }]) => {
      if (completions) return { index, text, logprobs: null, finish_reason: null };
      const delta: Record<string, unknown> = text === '' ? {} : { content: text };
      if (calls.size > 0)
        delta.tool_calls = [...calls].map(([call, argumentsText]) => ({
          index: call,
          function: { arguments: argumentsText },
        }));
      return { index, delta, logprobs: null, finish_reason: null };
    });
    return frame({ ...template, choices });
  }

  /** Adds released text or tool-call arguments to a choice's release chunk. */
  function addRelease(
    releases: Map<number, ChoiceRelease>,
    choice: number,
    text: string,
    call?: number,
  ): void {
    if (text === '') return;
    let release = releases.get(choice);
    if (release === undefined) {
      release = { text: '', toolCalls: new Map() };
      releases.set(choice, release);
    }
    if (call === undefined) release.text += text;
    else release.toolCalls.set(call, (release.toolCalls.get(call) ?? '') + text);
  }

  function answerSoFar(): Record<string, unknown> {
    const byChoice = new Map<number, ToolCallAsSent[]>();
    for (const [key, call] of toolCalls) {
      const calls = byChoice.get(call.choice) ?? [];
      calls.push({ id: call.id, name: call.name, arguments: args.sentArguments(key) });
      byChoice.set(call.choice, calls);
    }
    const indexes = [...new Set([...guard.choices(), ...byChoice.keys()])].sort((a, b) => a - b);
    return rebuiltAnswer(
      template,
      indexes.map((index) => ({ index, text: guard.fullText(index), toolCalls: byChoice.get(index) ?? [] })),
      options.context.requestType,
    );
  }

  /**
   * The choice with its tool calls' arguments judged: each delta carries what may be sent now,
   * deltas left with nothing to say are dropped. Undefined when a `deny` check failed.
   */
  function guardToolCalls(
    index: number,
    choice: Record<string, unknown>,
  ): Record<string, unknown> | undefined {
    const delta = choice.delta;
    if (!args.scans || !isRecord(delta) || !Array.isArray(delta.tool_calls)) return choice;
    const calls: unknown[] = [];
    for (const call of delta.tool_calls as unknown[]) {
      if (!isRecord(call)) {
        calls.push(call);
        continue;
      }
      const callIndex = typeof call.index === 'number' ? call.index : 0;
      const key = `${index}:${callIndex}`;
      const seen = toolCalls.get(key) ?? { choice: index, index: callIndex, id: undefined, name: undefined };
      const fn = call.function;
      if (call.id !== undefined) seen.id = call.id;
      if (isRecord(fn) && fn.name !== undefined) seen.name = fn.name;
      toolCalls.set(key, seen);
      if (!isRecord(fn) || typeof fn.arguments !== 'string') {
        calls.push(call);
        continue;
      }
      const step = args.push(key, fn.arguments);
      if (step.denied) return undefined;
      if (step.release === '' && fn.arguments !== '' && isOnlyArguments(call, fn)) continue;
      calls.push({ ...call, function: { ...fn, arguments: step.release } });
    }
    const { tool_calls: _calls, ...rest } = delta;
    return { ...choice, delta: calls.length === 0 ? rest : { ...rest, tool_calls: calls } };
  }

  /** What a choice's tool calls still hold, by call `index` (the choice ended); undefined when a `deny` check failed. */
  function finishToolCalls(index: number): Map<number, string> | undefined {
    const released = new Map<number, string>();
    for (const [key, call] of toolCalls) {
      if (call.choice !== index) continue;
      const step = args.finish(key);
      if (step.denied) return undefined;
      if (step.release !== '') released.set(call.index, step.release);
    }
    return released;
  }

  /**
   * The finish chunk's choice with its tool calls' last arguments: in its own `tool_calls` deltas when
   * it has some (they come after what those deltas carry), else in the chunk sent just before it.
   */
  function withFinalArguments(
    index: number,
    choice: Record<string, unknown>,
    released: ReadonlyMap<number, string>,
    releasedBefore: Map<number, ChoiceRelease>,
  ): Record<string, unknown> {
    const delta = choice.delta;
    if (released.size === 0) return choice;
    if (!isRecord(delta) || !Array.isArray(delta.tool_calls)) {
      for (const [call, text] of released) addRelease(releasedBefore, index, text, call);
      return choice;
    }
    const calls = [...(delta.tool_calls as unknown[])];
    for (const [call, text] of released) {
      const at = calls.findIndex((entry) => isRecord(entry) && (entry.index ?? 0) === call);
      const entry = calls[at];
      const fn = isRecord(entry) && isRecord(entry.function) ? entry.function : undefined;
      if (isRecord(entry) && fn !== undefined && typeof fn.arguments === 'string')
        calls[at] = { ...entry, function: { ...fn, arguments: fn.arguments + text } };
      else calls.push({ index: call, function: { arguments: text } });
    }
    return { ...choice, delta: { ...delta, tool_calls: calls } };
  }

  async function deniedFrame(): Promise<string> {
    const results = await deniedStreamResults(verdicts, options, answerSoFar());
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
    // Text finishing released for choices whose chunk has no text field, and tool-call arguments
    // released when a choice ends: sent in a chunk just before.
    const releasedBefore = new Map<number, ChoiceRelease>();
    for (const original of chunk.choices as unknown[]) {
      if (!isRecord(original)) {
        choices.push(original);
        continue;
      }
      const index = typeof original.index === 'number' ? original.index : 0;
      let choice = guardToolCalls(index, original);
      if (choice === undefined) return { out: await deniedFrame(), stop: true };
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
        const released = finishToolCalls(index);
        if (released === undefined) return { out: await deniedFrame(), stop: true };
        choice = withFinalArguments(index, choice, released, releasedBefore);
      }
      if (text === undefined) {
        addRelease(releasedBefore, index, release);
        if (choice === original || hasMoreThanText(choice)) choices.push(choice);
      } else if (release !== '' || hasMoreThanText(choice) || text.text === '')
        choices.push(text.set(release));
    }
    const before = releaseChunk(releasedBefore);
    if (choices.length === 0) return { out: before, stop: false };
    return { out: before + frame({ ...chunk, choices }), stop: false };
  }

  /** Releases what every choice still holds, then the results frame and `[DONE]`. */
  async function finish(sawDone: boolean): Promise<string> {
    const releases = new Map<number, ChoiceRelease>();
    for (const index of guard.choices()) {
      const step = guard.finish(index);
      if (step.denied) return deniedFrame();
      addRelease(releases, index, step.release);
    }
    for (const index of new Set([...toolCalls.values()].map((call) => call.choice))) {
      const released = finishToolCalls(index);
      if (released === undefined) return deniedFrame();
      for (const [call, text] of released) addRelease(releases, index, text, call);
    }
    let out = releaseChunk(releases);
    const results = await streamResultsAtEnd(verdicts, options, answerSoFar());
    if (!options.strictOpenAICompliance) out += frame({ hook_results: results });
    if (sawDone) out += 'data: [DONE]\n\n';
    return out;
  }

  return guardSseFrames(source, { onFrame, atEnd: () => finish(false) });
}
