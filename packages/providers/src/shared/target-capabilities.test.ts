import { describe, expect, it } from 'vitest';
import {
  fileMediaTypesReadBy,
  stopSequenceLimit,
  takesFiles,
  takesFileUrls,
  takesThinkingBlocks,
} from './target-capabilities.js';

describe('target capabilities', () => {
  it('reads files where the chat adapter sends their bytes on, and file URLs where the provider fetches them', () => {
    for (const provider of ['openai', 'azure-openai', 'anthropic', 'google', 'vertex-ai', 'bedrock'])
      expect(takesFiles({ provider, model: 'm' })).toBe(true);
    for (const provider of ['groq', 'mistral-ai', 'together-ai', 'cohere'])
      expect(takesFiles({ provider, model: 'm' })).toBe(false);
    expect(takesFileUrls({ provider: 'anthropic', model: 'claude-sonnet-4-20250514' })).toBe(true);
    for (const provider of ['openai', 'azure-openai', 'google', 'vertex-ai', 'bedrock', 'groq'])
      expect(takesFileUrls({ provider, model: 'm' })).toBe(false);
  });

  it('takes thinking blocks back for Claude only, wherever it is served', () => {
    expect(takesThinkingBlocks({ provider: 'anthropic', model: 'claude-opus-4-1' })).toBe(true);
    expect(
      takesThinkingBlocks({ provider: 'bedrock', model: 'anthropic.claude-3-7-sonnet-20250219-v1:0' }),
    ).toBe(true);
    expect(takesThinkingBlocks({ provider: 'bedrock', model: 'amazon.nova-pro-v1:0' })).toBe(false);
    expect(takesThinkingBlocks({ provider: 'vertex-ai', model: 'claude-sonnet-4@20250514' })).toBe(true);
    expect(takesThinkingBlocks({ provider: 'vertex-ai', model: 'gemini-2.5-pro' })).toBe(false);
    expect(takesThinkingBlocks({ provider: 'vertex-ai', model: 'not a model/../x' })).toBe(false);
    for (const provider of ['openai', 'groq', 'mistral-ai', 'google'])
      expect(takesThinkingBlocks({ provider, model: 'claude-sonnet-4' })).toBe(false);
  });

  it('knows the stop sequence limits providers document', () => {
    expect(stopSequenceLimit({ provider: 'openai', model: 'gpt-4o' })).toBe(4);
    expect(stopSequenceLimit({ provider: 'azure-openai', model: 'gpt-4o' })).toBe(4);
    expect(stopSequenceLimit({ provider: 'groq', model: 'llama-3.3-70b-versatile' })).toBe(4);
    expect(stopSequenceLimit({ provider: 'google', model: 'gemini-2.0-flash' })).toBe(5);
    expect(stopSequenceLimit({ provider: 'vertex-ai', model: 'gemini-2.0-flash' })).toBe(5);
    expect(stopSequenceLimit({ provider: 'vertex-ai', model: 'claude-sonnet-4@20250514' })).toBeUndefined();
    expect(stopSequenceLimit({ provider: 'cohere', model: 'command-r' })).toBe(5);
    expect(stopSequenceLimit({ provider: 'mistral-ai', model: 'mistral-large-latest' })).toBeUndefined();
  });

  it('knows which file types the translating adapters read, and leaves OpenAI’s to OpenAI', () => {
    const reads = (provider: string, model: string, mediaType: string) =>
      fileMediaTypesReadBy({ provider, model })?.(mediaType);
    expect(reads('anthropic', 'claude-sonnet-4', 'application/pdf')).toBe(true);
    expect(reads('anthropic', 'claude-sonnet-4', 'text/csv')).toBe(false);
    expect(reads('vertex-ai', 'claude-sonnet-4@20250514', 'text/csv')).toBe(false);
    expect(reads('vertex-ai', 'gemini-2.0-flash', 'text/csv')).toBe(true);
    expect(reads('google', 'gemini-2.0-flash', 'application/zip')).toBe(false);
    expect(reads('bedrock', 'amazon.nova-pro-v1:0', 'text/csv')).toBe(true);
    expect(reads('bedrock', 'amazon.nova-pro-v1:0', 'application/zip')).toBe(false);
    for (const provider of ['openai', 'azure-openai', 'groq'])
      expect(fileMediaTypesReadBy({ provider, model: 'm' })).toBeUndefined();
  });
});
