import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileRawHook } from '../compile/compile-hook.js';
import type { CompiledHook } from '../compile/compiled-hook.js';
import type { DeniedEnvelope } from '../run/guardrail-denied-error.js';
import { contextOf, testServices } from '../testing/check-harness.js';
import { guardMessagesSseStream } from './messages-sse-guard.js';
import type { CancellableByteStream } from './sse-frames.js';

const FULL_TEXT = 'Hello! Please write to jane@example.com about the FORBIDDEN plan, then get some rest.';

/** The fixture's events as Anthropic sends them: `event: <type>` and the `data:` line. */
const EVENTS: readonly string[] = readFileSync(
  new URL('./__fixtures__/anthropic-text-and-tool.events.txt', import.meta.url),
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

/** A source that yields the given frames one read at a time, recording cancellation. */
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

/** The events a client reads: name and parsed data. */
async function eventsOf(
  stream: CancellableByteStream,
): Promise<{ event: string; data: Record<string, unknown> }[]> {
  let text = '';
  for await (const bytes of stream) text += decoder.decode(bytes);
  return text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const [eventLine = '', dataLine = ''] = frame.split('\n');
      return { event: eventLine.slice(7), data: JSON.parse(dataLine.slice(6)) as Record<string, unknown> };
    });
}

/** The text of block 0 as the Anthropic SDK would accumulate it. */
function textOf(events: readonly { data: Record<string, unknown> }[]): string {
  return events
    .filter((event) => event.data.type === 'content_block_delta' && event.data.index === 0)
    .map((event) => String((event.data.delta as { text?: string }).text ?? ''))
    .join('');
}

const options = (hooks: CompiledHook[], extra: { strict?: boolean; onDenied?: () => void } = {}) => ({
  hooks,
  context: contextOf({
    requestType: 'messages',
    request: {
      model: 'claude-sonnet-4-20250514',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Hi' }],
    },
  }),
  services: testServices(),
  beforeResults: [],
  holdbackChars: 16,
  strictOpenAICompliance: extra.strict ?? true,
  deniedFrame: (envelope: DeniedEnvelope) =>
    `event: error\ndata: ${JSON.stringify({ type: 'error', error: envelope.error, hook_results: envelope.hook_results })}\n\n`,
  ...(extra.onDenied ? { onDenied: extra.onDenied } : {}),
});

describe('guardMessagesSseStream', () => {
  it('passes a clean Messages stream whole: text, tool input, usage and message_stop', async () => {
    const { stream } = sourceOf(EVENTS);
    const events = await eventsOf(
      guardMessagesSseStream(
        stream,
        options([
          hook({
            checks: [{ id: 'default.regexMatch', parameters: { rule: 'nothing-like-this', not: true } }],
          }),
        ]),
      ),
    );
    expect(textOf(events)).toBe(FULL_TEXT);
    expect(
      events.filter((event) => event.event === 'content_block_delta' && event.data.index === 1),
    ).toHaveLength(3);
    expect(events.map((event) => event.event).slice(-3)).toEqual([
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events.every((event) => event.event === event.data.type)).toBe(true);
  });

  it('never sends a denied pattern: the stream ends with Anthropic’s event: error and hook_results', async () => {
    const { stream, cancelled } = sourceOf(EVENTS);
    let denied = false;
    const deny = hook({
      id: 'no-forbidden',
      deny: true,
      checks: [{ id: 'default.regexMatch', parameters: { rule: 'FORBIDDEN', not: true } }],
    });
    const events = await eventsOf(
      guardMessagesSseStream(
        stream,
        options([deny], {
          onDenied: () => {
            denied = true;
          },
        }),
      ),
    );
    expect(JSON.stringify(events)).not.toContain('FORBIDDEN');
    expect(FULL_TEXT.startsWith(textOf(events))).toBe(true);
    expect(events.at(-1)).toMatchObject({
      event: 'error',
      data: {
        type: 'error',
        error: { code: 'PK_ERR_GUARDRAIL_DENIED' },
        hook_results: { after_request_hooks: [{ id: 'no-forbidden', verdict: false, deny: true }] },
      },
    });
    expect(events.some((event) => event.event === 'message_stop')).toBe(false);
    expect(cancelled()).toBe(true);
    expect(denied).toBe(true);
  });

  it('redacts PII split across deltas before it leaves, and reports it in event: hook_results', async () => {
    const { stream } = sourceOf(EVENTS);
    const redact = hook({
      type: 'mutator',
      id: 'mask',
      checks: [{ id: 'pk.pii', parameters: { redact: true } }],
    });
    const events = await eventsOf(guardMessagesSseStream(stream, options([redact], { strict: false })));
    expect(textOf(events)).toBe(FULL_TEXT.replace('jane@example.com', '[REDACTED_EMAIL]'));
    const names = events.map((event) => event.event);
    expect(names.slice(-2)).toEqual(['hook_results', 'message_stop']);
    expect(events.at(-2)?.data).toMatchObject({
      hook_results: {
        after_request_hooks: [
          {
            id: 'mask',
            verdict: true,
            checks: [{ id: 'pk.pii', data: { redacted: true, detected: { email: 1 } } }],
          },
        ],
      },
    });
  });

  it('runs whole-text checks over the Message as sent, before message_stop', async () => {
    const { stream } = sourceOf(EVENTS);
    const words = hook({ id: 'short', checks: [{ id: 'default.wordCount', parameters: { maxWords: 5 } }] });
    const events = await eventsOf(guardMessagesSseStream(stream, options([words], { strict: false })));
    expect(textOf(events)).toBe(FULL_TEXT);
    expect(events.find((event) => event.event === 'hook_results')?.data).toMatchObject({
      hook_results: { after_request_hooks: [{ id: 'short', verdict: false, deny: false }] },
    });
  });

  it('passes an upstream error event through and stops', async () => {
    const error =
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    const { stream, cancelled } = sourceOf([...EVENTS.slice(0, 5), error, ...EVENTS.slice(5)]);
    const events = await eventsOf(
      guardMessagesSseStream(stream, options([hook({ checks: [{ id: 'pk.pii', parameters: {} }] })])),
    );
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { error: { type: 'overloaded_error' } } });
    expect(cancelled()).toBe(true);
  });
});

describe('guardMessagesSseStream judges streamed tool input', () => {
  const TOOL_EVENTS: readonly string[] = readFileSync(
    new URL('./__fixtures__/anthropic-tool-use.events.txt', import.meta.url),
    'utf8',
  )
    .trim()
    .split('\n')
    .map((line) => `event: ${(JSON.parse(line) as { type: string }).type}\ndata: ${line}\n\n`);
  const INPUT = '{"to": "jane@example.com", "body": "Caf\\u00e9 ☕ at 5"}';

  /** Block 1's `partial_json`s as the Anthropic SDK accumulates them. */
  function inputOf(events: readonly { data: Record<string, unknown> }[]): string {
    return events
      .filter((event) => event.data.type === 'content_block_delta' && event.data.index === 1)
      .map((event) => String((event.data.delta as { partial_json?: string }).partial_json ?? ''))
      .join('');
  }

  const guarded = (hooks: CompiledHook[], strict = true) =>
    guardMessagesSseStream(sourceOf(TOOL_EVENTS).stream, {
      hooks,
      context: contextOf({ requestType: 'messages' }),
      services: testServices(),
      beforeResults: [],
      holdbackChars: 16,
      strictOpenAICompliance: strict,
      deniedFrame: (envelope: DeniedEnvelope) =>
        `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: envelope.error.message }, hook_results: envelope.hook_results })}\n\n`,
    });

  it('never sends input a deny check fails: the stream ends with the error event', async () => {
    const noAddress = hook({
      id: 'no-address',
      deny: true,
      checks: [{ id: 'default.regexMatch', parameters: { rule: 'jane@', not: true } }],
    });
    const events = await eventsOf(guarded([noAddress]));
    expect(JSON.stringify(events)).not.toContain('jane');
    expect(events.at(-1)?.event).toBe('error');
    expect(events.some((event) => event.event === 'message_stop')).toBe(false);
  });

  it('passes clean input whole, as written, and the whole-text checks see the tool_use block', async () => {
    const words = hook({
      id: 'words',
      checks: [{ id: 'default.contains', parameters: { words: ['5'], operator: 'any' } }],
    });
    const events = await eventsOf(
      guarded([hook({ id: 'no-pii', deny: true, checks: [{ id: 'pk.secrets' }] }), words], false),
    );
    expect(inputOf(events)).toBe(INPUT);
    const results = events.find((event) => event.event === 'hook_results');
    expect(results?.data).toMatchObject({
      hook_results: { after_request_hooks: [{ verdict: true }, { id: 'words', verdict: true }] },
    });
  });

  it('redacts PII in the input and keeps it valid JSON', async () => {
    const events = await eventsOf(
      guarded([hook({ id: 'redact', checks: [{ id: 'pk.pii', parameters: { redact: true } }] })]),
    );
    expect(JSON.parse(inputOf(events))).toEqual({ to: '[REDACTED_EMAIL]', body: 'Café ☕ at 5' });
  });
});
