import { describe, expect, it } from 'vitest';
import { answersNatively } from './call-dialect.js';

describe('answersNatively (which targets can answer count_tokens)', () => {
  it('is true for Anthropic whatever the model, and for Claude on Bedrock and Vertex AI only', () => {
    expect(answersNatively('messages.count_tokens', 'anthropic', 'claude-sonnet-4-5')).toBe(true);
    expect(answersNatively('messages.count_tokens', 'anthropic', undefined)).toBe(true);
    expect(
      answersNatively('messages.count_tokens', 'bedrock', 'anthropic.claude-3-5-sonnet-20240620-v1:0'),
    ).toBe(true);
    expect(answersNatively('messages.count_tokens', 'bedrock', 'amazon.nova-pro-v1:0')).toBe(false);
    expect(
      answersNatively('messages.count_tokens', 'vertex-ai', 'anthropic.claude-sonnet-4-5@20250929'),
    ).toBe(true);
    expect(answersNatively('messages.count_tokens', 'vertex-ai', 'gemini-2.5-pro')).toBe(false);
  });

  it('is false for providers without the Messages API natively, and for an unknown or empty provider', () => {
    expect(answersNatively('messages.count_tokens', 'openai', 'gpt-4o')).toBe(false);
    expect(answersNatively('messages.count_tokens', 'groq', 'claude-sonnet-4-5')).toBe(false);
    expect(answersNatively('messages.count_tokens', 'not-a-provider', 'claude-sonnet-4-5')).toBe(false);
    expect(answersNatively('messages.count_tokens', '', 'claude-sonnet-4-5')).toBe(false);
  });

  it('answers for the other dialects too: Anthropic speaks Messages, OpenAI Responses', () => {
    expect(answersNatively('messages', 'anthropic', 'claude-sonnet-4-5')).toBe(true);
    expect(answersNatively('responses', 'openai', 'gpt-4o')).toBe(true);
    expect(answersNatively('responses', 'anthropic', 'claude-sonnet-4-5')).toBe(false);
  });
});
