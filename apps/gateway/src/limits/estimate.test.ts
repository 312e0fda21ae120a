import { describe, expect, it } from 'vitest';
import { maxTokensFieldOf, textBytesOf, tokenBoundOf } from './estimate.js';

describe('token bounds without a tokenizer', () => {
  it('prompt ≤ body bytes; completion ≤ the cap times n', () => {
    expect(tokenBoundOf('chat.completions', { max_tokens: 100, n: 3 }, 500, 4096)).toEqual({
      promptTokens: 500,
      completionTokens: 300,
    });
    expect(tokenBoundOf('chat.completions', { max_completion_tokens: 70 }, 10, 4096).completionTokens).toBe(
      70,
    );
    expect(tokenBoundOf('responses', { max_output_tokens: 9 }, 10, 4096).completionTokens).toBe(9);
  });

  it('no cap: the default cap is to be injected', () => {
    expect(tokenBoundOf('chat.completions', {}, 10, 4096)).toEqual({
      promptTokens: 10,
      completionTokens: 4096,
      inject: { cap: 4096 },
    });
    expect(tokenBoundOf('responses', {}, 10, 512).inject).toEqual({ cap: 512 });
    // Embeddings have no answer tokens to cap.
    expect(tokenBoundOf('embeddings', {}, 10, 4096)).toEqual({ promptTokens: 10, completionTokens: 0 });
  });

  it.each([
    ['chat.completions', 'openai', 'max_completion_tokens'],
    ['chat.completions', 'azure-openai', 'max_completion_tokens'],
    ['chat.completions', 'anthropic', 'max_completion_tokens'],
    ['chat.completions', 'mistral-ai', 'max_completion_tokens'],
    ['chat.completions', 'together-ai', 'max_tokens'],
    ['chat.completions', undefined, 'max_tokens'],
    ['completions', 'openai', 'max_tokens'],
    ['messages', 'anthropic', 'max_tokens'],
    ['responses', 'openai', 'max_output_tokens'],
    ['embeddings', 'openai', undefined],
  ])('the cap of %s to %s goes in %s (o-series and gpt-5 refuse max_tokens)', (endpoint, provider, field) => {
    expect(maxTokensFieldOf(endpoint, provider)).toBe(field);
  });

  it('counts the bytes of generated text in stream events, not their framing', () => {
    const frame = 'data: {"id":"c","choices":[{"index":0,"delta":{"content":"héllo"}}]}\n\n';
    expect(textBytesOf(frame)).toBe(Buffer.byteLength('héllo'));
    expect(textBytesOf(new TextEncoder().encode(frame + frame))).toBe(12);
    expect(textBytesOf('data: [DONE]\n\n')).toBe(0);
  });
});
