import { StringDecoder } from 'node:string_decoder';
import type { CompiledHook } from '../compile/compiled-hook.js';
import type { HookContext } from '../model/hook-context.js';
import type { HookResult, HookResults } from '../model/hook-results.js';
import { isRecord } from '../model/is-record.js';
import type { GuardrailServices } from '../network/guardrail-transport.js';
import { GuardrailDeniedError } from '../run/guardrail-denied-error.js';
import { runHooks } from '../run/run-hooks.js';
import { rebuiltAnswer } from './rebuilt-answer.js';
import { DEFAULT_HOLDBACK_CHARS, TextWindowGuard } from './text-window-guard.js';

/** Bytes that arrive over time, read once; `cancel` releases what feeds them (the upstream). */
export interface CancellableByteStream extends AsyncIterable<Uint8Array> {
  cancel(reason?: unknown): void;
}

/** What {@link guardSseStream} needs. */
export interface SseGuardOptions {
  /** The leaf's after-request hooks. */
  readonly hooks: readonly CompiledHook[];
  /** The request's hook context (the answer is added at the end). */
  readonly context: HookContext;
  readonly services: GuardrailServices;
  /** Results of the before-request hooks of this request (reported with the stream's). */
  readonly beforeResults: readonly HookResult[];
  /** Characters held back before they are sent (default 128). */
  readonly holdbackChars?: number;
  /** With strict OpenAI compliance off, a final `data: {"hook_results": …}` frame precedes `[DONE]`. */
  readonly strictOpenAICompliance: boolean;
  readonly signal?: AbortSignal | undefined;
  readonly onAsyncResult?: ((result: HookResult) => void) | undefined;
  /** Called once with the stream's results (for the request log). */
  readonly onResults?: ((results: HookResults) => void) | undefined;
  /** Called when a `deny` check ended the stream with `event: error` (a 446 after the 200). */
  readonly onDenied?: (() => void) | undefined;
}

const encoder = new TextEncoder();

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
  // Node's StringDecoder, not a streaming TextDecoder: in Node 20 the latter decodes through ICU and
  // returns two-byte strings, which every search and check of the text below then pays for. The
  // bytes are pk's own OpenAI SSE (no byte order mark to drop).
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let template: Record<string, unknown> | undefined;
  let cancelled = false;
  let done = false;

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

  async function resultsAtEnd(): Promise<HookResults> {
    const answer = rebuiltAnswer(
      template,
      guard.choices().map((index) => ({ index, text: guard.fullText(index) })),
      options.context.requestType,
    );
    const run = await runHooks({
      hooks: options.hooks,
      event: 'afterRequestHook',
      context: { ...options.context, response: { json: answer, statusCode: 200 } },
      services: options.services,
      signal: options.signal,
      onAsyncResult: options.onAsyncResult,
      decided: guard.decidedOutcomes(),
    });
    return { before_request_hooks: options.beforeResults, after_request_hooks: run.results };
  }

  async function deniedFrame(): Promise<string> {
    // The error frame reports the checks that judge partial text, run on what was seen so far.
    const failed = guard.failedChecks();
    const partialHooks = options.hooks
      .filter((hook) => !hook.async)
      .map((hook) => ({
        ...hook,
        checks: hook.checks.filter((check) => check.definition.scanStream !== undefined),
      }))
      .filter((hook) => hook.checks.length > 0);
    const answer = rebuiltAnswer(
      template,
      guard.choices().map((index) => ({ index, text: guard.fullText(index) })),
      options.context.requestType,
    );
    const run = await runHooks({
      hooks: partialHooks,
      event: 'afterRequestHook',
      context: { ...options.context, response: { json: answer, statusCode: 200 } },
      services: options.services,
      decided: new Map(
        [...failed].map((check) => [
          check,
          { verdict: false, data: { explanation: `The streamed text failed ${check.id}; it was not sent.` } },
        ]),
      ),
    });
    const results: HookResults = {
      before_request_hooks: options.beforeResults,
      after_request_hooks: run.results,
    };
    options.onResults?.(results);
    options.onDenied?.();
    return `event: error\ndata: ${JSON.stringify(new GuardrailDeniedError(results).toEnvelope())}\n\n`;
  }

  /** Handles one SSE frame; returns the text to send, and whether the stream must stop. */
  async function onFrame(raw: string): Promise<{ out: string; stop: boolean }> {
    let data = '';
    let isError = false;
    for (const line of raw.split('\n')) {
      if (line.startsWith('event:') && line.slice(6).trim() === 'error') isError = true;
      else if (line.startsWith('data:')) data += line.slice(line.startsWith('data: ') ? 6 : 5);
    }
    if (isError) return { out: `${raw}\n\n`, stop: true };
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
    const results = await resultsAtEnd();
    options.onResults?.(results);
    if (!options.strictOpenAICompliance) out += frame({ hook_results: results });
    if (sawDone) out += 'data: [DONE]\n\n';
    return out;
  }

  async function* run(): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      for await (const bytes of source) {
        if (cancelled) return;
        buffer += decoder.write(bytes);
        let out = '';
        let stop = false;
        for (let end = buffer.indexOf('\n\n'); end !== -1 && !stop; end = buffer.indexOf('\n\n')) {
          const raw = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (raw.trim() === '' || raw.startsWith(':')) {
            out += `${raw}\n\n`;
            continue;
          }
          const step = await onFrame(raw);
          out += step.out;
          stop = step.stop;
        }
        if (out !== '') yield encoder.encode(out);
        if (stop) {
          done = true;
          source.cancel(new Error('the stream was stopped by a guardrail or ended'));
          return;
        }
      }
      if (!cancelled && !done) {
        done = true;
        const out = await finish(false);
        if (out !== '') yield encoder.encode(out);
      }
    } finally {
      if (!done) source.cancel(new Error('the guarded stream was closed'));
    }
  }

  const iterator = run();
  return {
    [Symbol.asyncIterator]: () => iterator,
    cancel(reason?: unknown) {
      cancelled = true;
      source.cancel(reason);
      void iterator.return(undefined).catch(() => {});
    },
  };
}
