import { describe, expect, it } from 'vitest';
import {
  cacheStatusLabel,
  createModelLabeller,
  fallbacksIn,
  providerLabel,
  retriesIn,
  statusClass,
  virtualKeyLabel,
} from './metric-labels.js';

describe('metric labels stay within bounded sets', () => {
  it('status classes', () => {
    expect([200, 201, 246, 302, 400, 429, 499, 500, 503].map(statusClass)).toEqual([
      '2xx',
      '2xx',
      '2xx',
      '3xx',
      '4xx',
      '4xx',
      '4xx',
      '5xx',
      '5xx',
    ]);
    expect(statusClass(0)).toBe('other');
    expect(statusClass(999)).toBe('other');
  });

  it('providers: pk’s ids, else other; none before one was chosen', () => {
    expect(providerLabel('openai')).toBe('openai');
    expect(providerLabel('bedrock')).toBe('bedrock');
    expect(providerLabel('my-own-llm')).toBe('other');
    expect(providerLabel('__proto__')).toBe('other');
    expect(providerLabel(undefined)).toBe('none');
  });

  it('models: the price table’s id for a priced model, other for anything else', () => {
    const label = createModelLabeller();
    expect(label('openai', 'gpt-4o-mini')).toBe('gpt-4o-mini');
    // Dated and prefixed spellings fold into the table's own id.
    expect(label('openai', 'gpt-4o-2024-08-06')).toBe('gpt-4o');
    expect(label('openai', 'fine-tuned-typo-model-1234')).toBe('other');
    expect(label('ollama', 'llama3.2')).toBe('other');
    expect(label('not-a-provider', 'gpt-4o')).toBe('other');
    expect(label('openai', undefined)).toBe('none');
  });

  it('the model lookup runs once per spelling, and its memory is bounded', () => {
    let lookups = 0;
    const label = createModelLabeller({
      lookup: ({ model }) => {
        lookups += 1;
        return model.startsWith('priced') ? { model_id: 'priced' } : undefined;
      },
      maxEntries: 100,
    });
    for (let round = 0; round < 3; round += 1) expect(label('openai', 'priced-1')).toBe('priced');
    expect(lookups).toBe(1);
    const labels = new Set<string>();
    for (let index = 0; index < 1000; index += 1) labels.add(label('openai', `model-${index}`));
    expect([...labels]).toEqual(['other']);
    // A lookup that throws is `other`, not a failed request.
    const throwing = createModelLabeller({
      lookup: () => {
        throw new Error('boom');
      },
    });
    expect(throwing('openai', 'x')).toBe('other');
  });

  it('cache statuses and virtual keys', () => {
    expect(cacheStatusLabel('HIT')).toBe('hit');
    expect(cacheStatusLabel('SEMANTIC HIT')).toBe('semantic_hit');
    expect(cacheStatusLabel('WEIRD')).toBe('other');
    expect(cacheStatusLabel(undefined)).toBe('none');
    const configured = (slug: string) => slug === 'openai-prod';
    expect(virtualKeyLabel('openai-prod', configured)).toBe('openai-prod');
    expect(virtualKeyLabel('typo', configured)).toBe('other');
    expect(virtualKeyLabel(undefined, configured)).toBe('none');
  });

  it('fallbacks: each move to another target, not retries of one', () => {
    expect(fallbacksIn(undefined)).toBe(0);
    expect(fallbacksIn([{ targetPath: 'config' }])).toBe(0);
    expect(
      fallbacksIn([
        { targetPath: 'config.targets[0]' },
        { targetPath: 'config.targets[0]' },
        { targetPath: 'config.targets[1]' },
        { targetPath: 'config.targets[2]' },
      ]),
    ).toBe(2);
  });

  it('retries: each attempt on the target of the one before', () => {
    expect(retriesIn(undefined)).toBe(0);
    const paths = ['config', 'config', 'config'].map((targetPath) => ({ targetPath }));
    expect(retriesIn(paths)).toBe(2);
    expect(
      retriesIn([{ targetPath: 'a' }, { targetPath: 'a' }, { targetPath: 'b' }, { targetPath: 'b' }]),
    ).toBe(2);
  });
});
