import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileRawHook } from '../compile/compile-hook.js';
import type { CompiledHook } from '../compile/compiled-hook.js';
import type { HookResults } from '../model/hook-results.js';
import type { DeniedEnvelope } from '../run/guardrail-denied-error.js';
import { contextOf, testServices } from '../testing/check-harness.js';
import { guardResponsesSseStream } from './responses-sse-guard.js';
import type { CancellableByteStream } from './sse-frames.js';

const FULL_TEXT = 'Hello! Please write to jane@example.com about the FORBIDDEN plan, then get some rest.';
const REDACTED = FULL_TEXT.replace('jane@example.com', '[REDACTED_EMAIL]');

/** The fixture's events as OpenAI sends them: `event: <type>` and the `data:` line. */
const EVENTS: readonly string[] = readFileSync(
  new URL('./__fixtures__/openai-responses-text.events.txt', import.meta.url),
  'utf8',
)
  .trim()
  .split('\n')
  .map((line) => `event: ${(JSON.parse(line) as { type: string }).type}\ndata: ${line}\n\n`);

function hook(raw: Record<string, unknown>): CompiledHook {
  const result = compileRawHook(raw, {
    origin: 'config',
    segments: [],
    root: 'hook',
    guardrails: new Map(),
    defaultId: 'h',
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.hook;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function sourceOf(frames: readonly string[]) {
  let cancelled = false;
  const stream: CancellableByteStream = {
    async *[Symbol.asyncIterator]() {
      for (const frame of frames) {
        if (cancelled) return;
        yield encoder.encode(frame);
      }
    },
    cancel() {
      cancelled = true;
    },
  };
  return { stream, cancelled: () => cancelled };
}

type Event = Record<string, unknown> & { type?: string };

async function eventsOf(stream: CancellableByteStream): Promise<{ event: string; data: Event }[]> {
  let text = '';
  for await (const bytes of stream) text += decoder.decode(bytes);
  return text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const [eventLine = '', dataLine = ''] = frame.split('\n');
      return { event: eventLine.slice(7), data: JSON.parse(dataLine.slice(6)) as Event };
    });
}

function deltasOf(events: readonly { data: Event }[]): string {
  return events
    .filter((event) => event.data.type === 'response.output_text.delta')
    .map((event) => String(event.data.delta))
    .join('');
}

function options(hooks: CompiledHook[], extra: { onResults?: (results: HookResults) => void } = {}) {
  return {
    hooks,
    context: contextOf({ requestType: 'createModelResponse', request: { model: 'gpt-4.1', input: 'Hi' } }),
    services: testServices(),
    beforeResults: [],
    holdbackChars: 16,
    strictOpenAICompliance: false,
    // The gateway writes the dialect's error event; here the envelope and the number it is given.
    deniedFrame: (envelope: DeniedEnvelope, sequenceNumber: number) =>
      `event: error\ndata: ${JSON.stringify({ ...envelope, sequence_number: sequenceNumber })}\n\n`,
    ...(extra.onResults ? { onResults: extra.onResults } : {}),
  };
}

const redact = () =>
  hook({ type: 'mutator', id: 'mask', checks: [{ id: 'pk.pii', parameters: { redact: true } }] });

describe('guardResponsesSseStream', () => {
  it('passes a clean Responses stream whole, its events numbered in order', async () => {
    const { stream } = sourceOf(EVENTS);
    const quiet = hook({
      checks: [{ id: 'default.regexMatch', parameters: { rule: 'nothing-like-this', not: true } }],
    });
    const events = await eventsOf(guardResponsesSseStream(stream, options([quiet])));
    expect(deltasOf(events)).toBe(FULL_TEXT);
    expect(events.map((event) => event.data.sequence_number)).toEqual(events.map((_event, index) => index));
    expect(events.at(-1)?.event).toBe('response.completed');
    expect(events.every((event) => event.event === event.data.type)).toBe(true);
  });

  it('never sends a denied pattern: the stream ends with the denied frame and the upstream is cancelled', async () => {
    const { stream, cancelled } = sourceOf(EVENTS);
    const deny = hook({
      id: 'no-forbidden',
      deny: true,
      checks: [{ id: 'default.regexMatch', parameters: { rule: 'FORBIDDEN', not: true } }],
    });
    const events = await eventsOf(guardResponsesSseStream(stream, options([deny])));
    expect(JSON.stringify(events)).not.toContain('FORBIDDEN');
    expect(FULL_TEXT.startsWith(deltasOf(events))).toBe(true);
    expect(events.at(-1)).toMatchObject({
      event: 'error',
      data: {
        error: { code: 'PK_ERR_GUARDRAIL_DENIED' },
        hook_results: { after_request_hooks: [{ id: 'no-forbidden', verdict: false, deny: true }] },
      },
    });
    // The denied event is numbered after the events the client got, as the Responses API numbers them.
    const numbers = events.map((event) => (event.data as { sequence_number?: unknown }).sequence_number);
    expect(numbers).toEqual(numbers.map((_number, index) => index));
    expect(cancelled()).toBe(true);
  });

  it('redacts PII before it leaves, in the deltas and in every event that repeats the text', async () => {
    const { stream } = sourceOf(EVENTS);
    let reported: HookResults | undefined;
    const events = await eventsOf(
      guardResponsesSseStream(
        stream,
        options([redact()], {
          onResults: (results) => {
            reported = results;
          },
        }),
      ),
    );
    expect(deltasOf(events)).toBe(REDACTED);
    const text = JSON.stringify(events);
    expect(text).not.toContain('jane@example.com');
    const byType = (type: string) => events.find((event) => event.data.type === type)?.data;
    expect(byType('response.output_text.done')).toMatchObject({ text: REDACTED });
    expect(byType('response.content_part.done')).toMatchObject({ part: { text: REDACTED } });
    expect(byType('response.output_item.done')).toMatchObject({ item: { content: [{ text: REDACTED }] } });
    expect(byType('response.completed')).toMatchObject({
      response: {
        status: 'completed',
        output: [{ content: [{ text: REDACTED }] }],
        usage: { total_tokens: 48 },
      },
    });
    expect(reported).toMatchObject({
      after_request_hooks: [
        { id: 'mask', checks: [{ id: 'pk.pii', data: { redacted: true, detected: { email: 1 } } }] },
      ],
    });
  });

  it('runs whole-text checks on the completed Response as sent', async () => {
    const { stream } = sourceOf(EVENTS);
    let reported: HookResults | undefined;
    const words = hook({ id: 'short', checks: [{ id: 'default.wordCount', parameters: { maxWords: 5 } }] });
    await eventsOf(
      guardResponsesSseStream(
        stream,
        options([words], {
          onResults: (results) => {
            reported = results;
          },
        }),
      ),
    );
    expect(reported).toMatchObject({ after_request_hooks: [{ id: 'short', verdict: false }] });
  });
});

describe('guardResponsesSseStream judges streamed function call arguments', () => {
  const CALL_EVENTS: readonly string[] = readFileSync(
    new URL('./__fixtures__/openai-responses-function-call.events.txt', import.meta.url),
    'utf8',
  )
    .trim()
    .split('\n')
    .map((line) => `event: ${(JSON.parse(line) as { type: string }).type}\ndata: ${line}\n\n`);
  const ARGUMENTS = '{"to":"jane@example.com","body":"See you at 5"}';

  function argumentDeltasOf(events: readonly { data: Event }[]): string {
    return events
      .filter((event) => event.data.type === 'response.function_call_arguments.delta')
      .map((event) => String(event.data.delta))
      .join('');
  }

  it('never sends arguments a deny check fails: the stream ends with the denied frame', async () => {
    const { stream, cancelled } = sourceOf(CALL_EVENTS);
    const noPii = hook({ id: 'no-pii', deny: true, checks: [{ id: 'pk.pii', parameters: {} }] });
    const events = await eventsOf(guardResponsesSseStream(stream, options([noPii])));
    expect(JSON.stringify(events)).not.toContain('jane');
    expect(events.at(-1)?.event).toBe('error');
    expect(events.at(-1)?.data).toMatchObject({ error: { code: 'PK_ERR_GUARDRAIL_DENIED' } });
    expect(events.map((event) => event.data.sequence_number)).toEqual(events.map((_event, index) => index));
    expect(cancelled()).toBe(true);
  });

  it('passes clean arguments whole, as written, in the deltas and every event that repeats them', async () => {
    const quiet = hook({
      checks: [{ id: 'default.regexMatch', parameters: { rule: 'nothing-like-this', not: true } }],
    });
    const events = await eventsOf(guardResponsesSseStream(sourceOf(CALL_EVENTS).stream, options([quiet])));
    expect(argumentDeltasOf(events)).toBe(ARGUMENTS);
    const done = events.find((event) => event.event === 'response.function_call_arguments.done');
    expect(done?.data.arguments).toBe(ARGUMENTS);
    expect(events.at(-1)?.event).toBe('response.completed');
    expect(events.map((event) => event.data.sequence_number)).toEqual(events.map((_event, index) => index));
  });

  it('redacts PII in the arguments, and the done events carry the arguments as sent', async () => {
    const events = await eventsOf(guardResponsesSseStream(sourceOf(CALL_EVENTS).stream, options([redact()])));
    const expected = { to: '[REDACTED_EMAIL]', body: 'See you at 5' };
    expect(JSON.parse(argumentDeltasOf(events))).toEqual(expected);
    const done = events.find((event) => event.event === 'response.function_call_arguments.done');
    expect(JSON.parse(String(done?.data.arguments))).toEqual(expected);
    const completed = events.at(-1)?.data.response as { output: { arguments: string }[] };
    expect(JSON.parse(completed.output[0]?.arguments ?? '')).toEqual(expected);
    const itemDone = events.find((event) => event.event === 'response.output_item.done')?.data.item as {
      arguments: string;
    };
    expect(JSON.parse(itemDone.arguments)).toEqual(expected);
  });
});
