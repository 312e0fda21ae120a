import { describe, expect, it } from 'vitest';
import type { ProviderContext } from '../spec/provider-adapter.js';
import { anthropicModelList } from './models.js';

const context = (target: Record<string, unknown>): ProviderContext => ({
  provider: 'anthropic',
  target: { provider: 'anthropic', ...target },
  strictOpenAICompliance: true,
  nativeFinishReasons: false,
  generateId: () => 'id',
  now: () => 0,
});

describe('anthropicModelList', () => {
  it('asks Anthropic’s Models API for the whole list, or one model, with its own key and version', () => {
    const list = anthropicModelList.buildRequest('/models', context({ api_key: 'sk-ant-1' }));
    expect(list.upstream).toEqual({
      url: 'https://api.anthropic.com/v1/models?limit=1000',
      method: 'GET',
      headers: { 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-1' },
    });
    const one = anthropicModelList.buildRequest(
      '/models/claude-sonnet-4-5',
      context({ custom_host: 'http://127.0.0.1:9/v1/', anthropic_version: '2024-01-01' }),
    );
    expect(one.upstream).toEqual({
      url: 'http://127.0.0.1:9/v1/models/claude-sonnet-4-5',
      method: 'GET',
      headers: { 'anthropic-version': '2024-01-01' },
    });
  });

  it('answers in OpenAI’s shape: created in Unix seconds, owned_by anthropic, entries without an id dropped', () => {
    const answer = anthropicModelList.parseResponse({
      data: [
        { type: 'model', id: 'claude-a', display_name: 'A', created_at: '2025-02-19T00:00:00Z' },
        { type: 'model', id: 'claude-b', created_at: 'not a date' },
        { type: 'model', display_name: 'no id' },
      ],
      has_more: false,
      first_id: 'claude-a',
      last_id: 'claude-b',
    });
    expect(answer).toEqual({
      object: 'list',
      data: [
        { id: 'claude-a', object: 'model', created: 1739923200, owned_by: 'anthropic', display_name: 'A' },
        { id: 'claude-b', object: 'model', created: 0, owned_by: 'anthropic' },
      ],
    });
    expect(
      anthropicModelList.parseResponse({ type: 'model', id: 'claude-a', created_at: '2025-02-19T00:00:00Z' }),
    ).toEqual({ id: 'claude-a', object: 'model', created: 1739923200, owned_by: 'anthropic' });
  });
});
