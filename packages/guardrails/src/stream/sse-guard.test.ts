import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileRawHook } from '../compile/compile-hook.js';
import type { CompiledHook } from '../compile/compiled-hook.js';
import { contextOf, testServices } from '../testing/check-harness.js';
import { type CancellableByteStream, guardSseStream } from './sse-guard.js';

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

function chunkFrame(content: string, finish: string | null = null): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: finish }],
  })}\n\n`;
}

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

/** Reads a guarded stream: each output piece as text, in order. */
async function readAll(stream: CancellableByteStream): Promise<string[]> {
  const pieces: string[] = [];
  for await (const bytes of stream) pieces.push(decoder.decode(bytes));
  return pieces;
}

function contentOf(pieces: readonly string[]): string {
  let text = '';
  for (const piece of pieces) {
    for (const frame of piece.split('\n\n')) {
      if (!frame.startsWith('data: {')) continue;
      const chunk = JSON.parse(frame.slice(6)) as { choices?: { delta?: { content?: string } }[] };
      for (const choice of chunk.choices ?? []) text += choice.delta?.content ?? '';
    }
  }
  return text;
}

const denyWord = (word: string) =>
  hook({
    id: 'no-word',
    deny: true,
    checks: [{ id: 'default.regexMatch', parameters: { rule: word, not: true } }],
  });

const options = (hooks: CompiledHook[], strict = true) => ({
  hooks,
  context: contextOf({}),
  services: testServices(),
  beforeResults: [],
  holdbackChars: 16,
  strictOpenAICompliance: strict,
});

describe('guardSseStream', () => {
  it('never sends a denied pattern: text up to the window goes out as it comes, then event: error', async () => {
    const one = 'a'.repeat(30);
    const two = 'b'.repeat(30);
    const { stream, cancelled } = sourceOf([
      chunkFrame(one),
      chunkFrame(two),
      chunkFrame('and then FORBIDDEN text'),
      chunkFrame('more', 'stop'),
      'data: [DONE]\n\n',
    ]);
    const pieces = await readAll(guardSseStream(stream, options([denyWord('FORBIDDEN')])));
    // After chunk one: 30 - 16 held = 14 out; after chunk two: everything but the last 16.
    expect(contentOf(pieces.slice(0, 1))).toBe(one.slice(0, 14));
    expect(contentOf(pieces.slice(0, 2))).toBe(one + two.slice(0, 14));
    const last = pieces.at(-1) ?? '';
    expect(last.startsWith('event: error\n')).toBe(true);
    const envelope = JSON.parse(last.split('data: ')[1] ?? '{}');
    expect(envelope).toMatchObject({
      error: { type: 'hooks_failed', code: 'PK_ERR_GUARDRAIL_DENIED' },
      hook_results: { after_request_hooks: [{ id: 'no-word', verdict: false, deny: true }] },
    });
    expect(pieces.join('')).not.toContain('FORBIDDEN');
    expect(pieces.join('')).not.toContain('[DONE]');
    expect(cancelled()).toBe(true);
  });

  it('catches a pattern split across chunks', async () => {
    const { stream } = sourceOf([chunkFrame('the pass'), chunkFrame('word is x'), 'data: [DONE]\n\n']);
    const pieces = await readAll(guardSseStream(stream, options([denyWord('password')])));
    expect(pieces.join('')).not.toContain('pass');
    expect(pieces.at(-1)).toMatch(/^event: error/);
  });

  it('keeps a character whose UTF-8 bytes are split between two reads whole', async () => {
    const bytes = encoder.encode(`${chunkFrame('Crème brûlée – 5 €', 'stop')}data: [DONE]\n\n`);
    // Cut inside each multi-byte character in turn (è, û, é, –, €).
    const cuts = [...bytes.keys()].filter((index) => (bytes[index] as number) >= 0x80 && index > 0);
    for (const cut of cuts) {
      const stream: CancellableByteStream = {
        async *[Symbol.asyncIterator]() {
          yield bytes.subarray(0, cut);
          yield bytes.subarray(cut);
        },
        cancel() {},
      };
      const pieces = await readAll(guardSseStream(stream, options([denyWord('password')])));
      expect(contentOf(pieces)).toBe('Crème brûlée – 5 €');
    }
  });

  it('passes a clean stream whole, with [DONE], and no results frame under strict compliance', async () => {
    const text = 'Paris is the capital of France. It is lovely in spring.';
    const frames = [
      chunkFrame('Paris is the capital '),
      chunkFrame('of France. It is lovely'),
      chunkFrame(' in spring.', 'stop'),
      'data: [DONE]\n\n',
    ];
    const pieces = await readAll(guardSseStream(sourceOf(frames).stream, options([denyWord('Berlin')])));
    expect(contentOf(pieces)).toBe(text);
    expect(pieces.join('')).toMatch(/data: \[DONE\]\n\n$/);
    expect(pieces.join('')).not.toContain('hook_results');
  });

  it('with strict compliance off, whole-text checks report in a final hook_results frame before [DONE]', async () => {
    const frames = [chunkFrame('three short words', 'stop'), 'data: [DONE]\n\n'];
    const wordCap = hook({
      id: 'words',
      checks: [{ id: 'default.wordCount', parameters: { minWords: 5, maxWords: 10 } }],
    });
    const pieces = await readAll(guardSseStream(sourceOf(frames).stream, options([wordCap], false)));
    const all = pieces.join('');
    const results = /data: (\{"hook_results".*\})\n\ndata: \[DONE\]\n\n$/.exec(all);
    expect(results).not.toBeNull();
    expect(JSON.parse(results?.[1] ?? '{}')).toMatchObject({
      hook_results: {
        before_request_hooks: [],
        after_request_hooks: [{ id: 'words', verdict: false, checks: [{ data: { wordCount: 3 } }] }],
      },
    });
  });

  it('redacts PII before it leaves, across chunk boundaries, and reports it', async () => {
    const redact = hook({
      id: 'mask',
      type: 'mutator',
      checks: [{ id: 'pk.pii', parameters: { redact: true } }],
    });
    const frames = [
      chunkFrame('write to jane.d'),
      chunkFrame('oe@example.com or call'),
      chunkFrame(' 415-555-0132 today', 'stop'),
      'data: [DONE]\n\n',
    ];
    const pieces = await readAll(guardSseStream(sourceOf(frames).stream, options([redact], false)));
    expect(contentOf(pieces)).toBe('write to [REDACTED_EMAIL] or call [REDACTED_PHONE] today');
    expect(pieces.join('')).toContain('"detected":{"email":1,"phone":1}');
  });

  it('does not fail an end-anchored pattern in the middle of the text', async () => {
    const endsBadly = hook({
      id: 'end',
      deny: true,
      checks: [{ id: 'default.regexMatch', parameters: { rule: 'bye$', not: true } }],
    });
    const ok = await readAll(
      guardSseStream(
        sourceOf([chunkFrame('say bye'), chunkFrame(' to no one', 'stop'), 'data: [DONE]\n\n']).stream,
        options([endsBadly]),
      ),
    );
    expect(contentOf(ok)).toBe('say bye to no one');
    const denied = await readAll(
      guardSseStream(
        sourceOf([chunkFrame('say'), chunkFrame(' bye', 'stop'), 'data: [DONE]\n\n']).stream,
        options([endsBadly]),
      ),
    );
    expect(denied.at(-1)).toMatch(/^event: error/);
    expect(contentOf(denied)).not.toContain('bye');
  });

  it('passes upstream error frames through and stops', async () => {
    const errorFrame =
      'event: error\ndata: {"error":{"message":"cut","type":"api_error","param":null,"code":"PK_ERR_STREAM_INTERRUPTED"}}\n\n';
    const pieces = await readAll(
      guardSseStream(sourceOf([chunkFrame('hello'), errorFrame]).stream, options([denyWord('x')])),
    );
    expect(pieces.join('')).toContain('PK_ERR_STREAM_INTERRUPTED');
  });
});

/** The SSE frames of a fixture (one `data:` payload a line). */
function fixtureFrames(name: string): string[] {
  const text = readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => `data: ${line}\n\n`);
}

/** An answer streamed as OpenAI does: role chunk, text pieces, then a finish chunk with an empty delta. */
function openAIFrames(text: string, pieces: number, options: { finish?: boolean; done?: boolean } = {}) {
  const chunk = (delta: unknown, finish: string | null) =>
    `data: ${JSON.stringify({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'gpt-4o-mini',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    })}\n\n`;
  const size = Math.ceil(text.length / pieces);
  const frames = [chunk({ role: 'assistant', content: '' }, null)];
  for (let offset = 0; offset < text.length; offset += size)
    frames.push(chunk({ content: text.slice(offset, offset + size) }, null));
  if (options.finish !== false) frames.push(chunk({}, 'stop'));
  if (options.done !== false) frames.push('data: [DONE]\n\n');
  return frames;
}

/** Each choice's text, by index. */
function contentByChoice(pieces: readonly string[]): Map<number, string> {
  const texts = new Map<number, string>();
  for (const frame of pieces.join('').split('\n\n')) {
    if (!frame.startsWith('data: {')) continue;
    const chunk = JSON.parse(frame.slice(6)) as {
      choices?: { index: number; delta?: { content?: string } }[];
    };
    for (const choice of chunk.choices ?? [])
      texts.set(choice.index, (texts.get(choice.index) ?? '') + (choice.delta?.content ?? ''));
  }
  return texts;
}

const noApple = () =>
  hook({
    id: 'no-apple',
    checks: [{ id: 'default.contains', parameters: { operator: 'none', words: ['Apple'] } }],
  });

describe('guardSseStream releases what it holds when a choice ends', () => {
  const fox = 'The quick brown fox jumps over the lazy dog.';

  it('sends the whole answer when the finish chunk’s delta is empty (OpenAI’s real last chunk)', async () => {
    for (const holdbackChars of [16, 128]) {
      const { stream } = sourceOf(fixtureFrames('openai-text.chunks.txt'));
      const pieces = await readAll(guardSseStream(stream, { ...options([noApple()]), holdbackChars }));
      expect(contentOf(pieces)).toBe(fox);
      // The held text goes out in a chunk of its own, then the finish chunk as it came, usage, [DONE].
      const frames = pieces.join('').split('\n\n');
      const finishAt = frames.findIndex((frame) => frame.includes('"finish_reason":"stop"'));
      expect(JSON.parse(frames[finishAt]?.slice(6) ?? '{}').choices).toEqual([
        { index: 0, delta: {}, logprobs: null, finish_reason: 'stop' },
      ]);
      expect(JSON.parse(frames[finishAt - 1]?.slice(6) ?? '{}')).toMatchObject({
        id: 'chatcmpl-9x3',
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: { content: expect.any(String) }, finish_reason: null }],
      });
      expect(frames[finishAt + 1]).toContain('"choices":[],"usage":{');
      expect(pieces.join('')).toMatch(/data: \[DONE\]\n\n$/);
    }
  });

  it('sends a long answer whole, the text past the window as it comes', async () => {
    const long = Array.from({ length: 46 }, (_, index) => `word${String(index).padStart(5, '0')} `).join('');
    expect(long).toHaveLength(460);
    const pieces = await readAll(
      guardSseStream(sourceOf(openAIFrames(long, 23)).stream, {
        ...options([noApple()]),
        holdbackChars: 128,
      }),
    );
    expect(contentOf(pieces)).toBe(long);
    // Before the finish chunk, everything but the window had left.
    const finishAt = pieces.findIndex((piece) => piece.includes('"finish_reason":"stop"'));
    expect(contentOf(pieces.slice(0, finishAt))).toBe(long.slice(0, long.length - 128));
  });

  it('sends every choice whole when each ends with its own empty finish chunk (n=2)', async () => {
    const pieces = await readAll(
      guardSseStream(sourceOf(fixtureFrames('openai-two-choices.chunks.txt')).stream, options([noApple()])),
    );
    expect(contentByChoice(pieces)).toEqual(
      new Map([
        [0, 'Paris is the capital of France.'],
        [1, 'The capital of France is Paris.'],
      ]),
    );
  });

  it('sends the whole answer when the stream ends with [DONE] and no finish chunk, or with neither', async () => {
    for (const done of [true, false]) {
      const frames = openAIFrames(fox, 5, { finish: false, done });
      const pieces = await readAll(guardSseStream(sourceOf(frames).stream, options([noApple()])));
      expect(contentOf(pieces)).toBe(fox);
    }
  });

  it('reports the whole-text verdicts over the text as sent, which is the whole answer', async () => {
    const words = hook({
      id: 'words',
      checks: [{ id: 'default.wordCount', parameters: { minWords: 1, maxWords: 20 } }],
    });
    const { stream } = sourceOf(fixtureFrames('openai-text.chunks.txt'));
    const pieces = await readAll(guardSseStream(stream, options([noApple(), words], false)));
    const results = /data: (\{"hook_results".*\})\n\ndata: \[DONE\]\n\n$/.exec(pieces.join(''));
    expect(JSON.parse(results?.[1] ?? '{}')).toMatchObject({
      hook_results: {
        after_request_hooks: [
          { id: 'no-apple', verdict: true },
          { id: 'words', verdict: true, checks: [{ data: { wordCount: 9 } }] },
        ],
      },
    });
    expect(contentOf(pieces)).toBe(fox);
  });

  it('does not release held text when the stream breaks before the choice ends', async () => {
    const errorFrame =
      'event: error\ndata: {"error":{"message":"cut","type":"api_error","param":null,"code":"PK_ERR_STREAM_INTERRUPTED"}}\n\n';
    const frames = [...openAIFrames(fox, 5, { finish: false, done: false }), errorFrame];
    const pieces = await readAll(guardSseStream(sourceOf(frames).stream, options([noApple()])));
    expect(contentOf(pieces)).toBe(fox.slice(0, fox.length - 16));
    expect(pieces.at(-1)).toContain('PK_ERR_STREAM_INTERRUPTED');
  });
});

/** Each tool call's arguments as a client accumulates them from chunks (by choice and call `index`). */
function toolArguments(pieces: readonly string[]): Map<string, string> {
  const calls = new Map<string, string>();
  for (const frame of pieces.join('').split('\n\n')) {
    if (!frame.startsWith('data: {')) continue;
    const chunk = JSON.parse(frame.slice(6)) as {
      choices?: {
        index: number;
        delta?: { tool_calls?: { index: number; function?: { arguments?: string } }[] };
      }[];
    };
    for (const choice of chunk.choices ?? [])
      for (const call of choice.delta?.tool_calls ?? []) {
        const key = `${choice.index}:${call.index}`;
        calls.set(key, (calls.get(key) ?? '') + (call.function?.arguments ?? ''));
      }
  }
  return calls;
}

describe('guardSseStream judges streamed tool-call arguments', () => {
  const noPii = () => hook({ id: 'no-pii', deny: true, checks: [{ id: 'pk.pii', parameters: {} }] });
  const written = new Map([
    ['0:0', '{"location":"Paris, France"}'],
    ['0:1', '{"to":"jane@example.com","body":"Caf\\u00e9 ☕ at 5"}'],
  ]);

  it('never sends arguments a deny check fails: the stream ends with event: error', async () => {
    const { stream, cancelled } = sourceOf(fixtureFrames('openai-parallel-tool-calls.chunks.txt'));
    const pieces = await readAll(guardSseStream(stream, options([noPii()])));
    const out = pieces.join('');
    expect(out).not.toContain('jane');
    expect(out).not.toContain('[DONE]');
    expect(toolArguments(pieces).get('0:0')).toBe(written.get('0:0'));
    const last = pieces.at(-1) ?? '';
    expect(last.startsWith('event: error\n')).toBe(true);
    expect(JSON.parse(last.split('data: ')[1] ?? '{}')).toMatchObject({
      error: { type: 'hooks_failed', code: 'PK_ERR_GUARDRAIL_DENIED' },
      hook_results: { after_request_hooks: [{ id: 'no-pii', verdict: false, deny: true }] },
    });
    expect(cancelled()).toBe(true);
  });

  it('never splits a character of two UTF-16 units between two chunks of text', async () => {
    // 20 units: the window of 16 would end between the halves of 😀.
    const { stream } = sourceOf([
      chunkFrame(`aaa😀${'b'.repeat(15)}`),
      chunkFrame('c', 'stop'),
      'data: [DONE]\n\n',
    ]);
    const pieces = await readAll(guardSseStream(stream, options([denyWord('FORBIDDEN')])));
    expect(pieces[0]).toContain('"content":"aaa"');
    expect(contentOf(pieces)).toBe(`aaa😀${'b'.repeat(15)}c`);
  });

  it('passes parallel tool calls’ arguments whole, byte for byte, when no check fails', async () => {
    const { stream } = sourceOf(fixtureFrames('openai-parallel-tool-calls.chunks.txt'));
    const noSecrets = hook({ id: 'no-secrets', deny: true, checks: [{ id: 'pk.secrets', parameters: {} }] });
    const pieces = await readAll(guardSseStream(stream, options([denyWord('FORBIDDEN'), noSecrets])));
    expect(toolArguments(pieces)).toEqual(written);
    expect(pieces.join('')).toContain('data: [DONE]');
  });

  it('redacts PII in arguments and reports the calls as sent to the whole-text checks', async () => {
    const redact = hook({ id: 'redact', checks: [{ id: 'pk.pii', parameters: { redact: true } }] });
    const { stream } = sourceOf(fixtureFrames('openai-parallel-tool-calls.chunks.txt'));
    const pieces = await readAll(guardSseStream(stream, options([redact], false)));
    const sent = toolArguments(pieces).get('0:1') ?? '';
    expect(JSON.parse(sent)).toEqual({ to: '[REDACTED_EMAIL]', body: 'Café ☕ at 5' });
    expect(pieces.join('')).toMatch(/"hook_results":.*"redacted":true/);
  });

  it('leaves arguments to pk’s own checks, as a JSON answer does (default.* read the content)', async () => {
    const { stream } = sourceOf(fixtureFrames('openai-parallel-tool-calls.chunks.txt'));
    const pieces = await readAll(guardSseStream(stream, options([denyWord('jane')])));
    expect(toolArguments(pieces)).toEqual(written);
  });
});
