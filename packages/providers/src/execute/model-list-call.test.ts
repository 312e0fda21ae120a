import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../anthropic/index.js';
import { openAIAdapter } from '../openai/index.js';
import { modelListCallOf } from './model-list-call.js';

describe('modelListCallOf', () => {
  it('takes GET /models and GET /models/{id} (query ignored) of a provider with a model-list route', () => {
    expect(
      modelListCallOf(anthropicAdapter, { endpoint: 'passthrough', path: '/models', method: 'GET' })?.path,
    ).toBe('/models');
    expect(
      modelListCallOf(anthropicAdapter, {
        endpoint: 'passthrough',
        path: '/models/claude-a?x=1',
        method: 'get',
      })?.path,
    ).toBe('/models/claude-a');
  });

  it('leaves every other call alone: other methods and paths, other endpoints, providers that pass through', () => {
    for (const request of [
      { endpoint: 'passthrough', path: '/models', method: 'DELETE' },
      { endpoint: 'passthrough', path: '/models/a/b', method: 'GET' },
      { endpoint: 'passthrough', path: '/modelsx', method: 'GET' },
      { endpoint: 'passthrough', path: '/moderations', method: 'GET' },
      { endpoint: 'passthrough', path: '/models' },
      { endpoint: 'chat.completions', path: '/models', method: 'GET' },
    ] as const) {
      expect(modelListCallOf(anthropicAdapter, request)).toBeUndefined();
    }
    expect(
      modelListCallOf(openAIAdapter, { endpoint: 'passthrough', path: '/models', method: 'GET' }),
    ).toBeUndefined();
  });
});
