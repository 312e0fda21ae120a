import { describe, expect, it } from 'vitest';
import { collectFinishReasons, modelNamedIn } from './stream-answer-facts.js';

// Items as providers send them: OpenAI's chat chunk (compact), an OpenAI-compatible server's
// (spaces after the colons), Anthropic's message_start.
const openAIChunk =
  '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1764770000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":"said \\"model\\":\\"x\\""},"logprobs":null,"finish_reason":null}]}';
const spacedChunk =
  '{"id": "c-2", "object": "chat.completion.chunk", "model": "llama3.1:8b", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}, {"index": 1, "delta": {}, "finish_reason": "length"}]}';
const messageStart =
  '{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[],"stop_reason":null,"usage":{"input_tokens":12,"output_tokens":1}}}';

describe('modelNamedIn', () => {
  it('reads the model an item names, not text that quotes one', () => {
    expect(modelNamedIn(openAIChunk)).toBe('gpt-4o-mini-2024-07-18');
    expect(modelNamedIn(spacedChunk)).toBe('llama3.1:8b');
    expect(modelNamedIn(messageStart)).toBe('claude-sonnet-4-20250514');
    expect(modelNamedIn('{"choices":[{"delta":{"content":"no model here"}}]}')).toBeUndefined();
    expect(modelNamedIn('{"model":""}')).toBeUndefined();
    expect(modelNamedIn('{"model":"a\\/b"}')).toBe('a/b');
  });
});

describe('collectFinishReasons', () => {
  it('appends the non-null finish reasons of every choice, at most 16', () => {
    const reasons: string[] = [];
    collectFinishReasons(openAIChunk, reasons);
    expect(reasons).toEqual([]);
    collectFinishReasons(spacedChunk, reasons);
    expect(reasons).toEqual(['stop', 'length']);
    const many = `{"choices":[${Array.from({ length: 20 }, (_, index) => `{"index":${index},"finish_reason":"stop"}`).join(',')}]}`;
    collectFinishReasons(many, reasons);
    expect(reasons).toHaveLength(16);
  });
});
