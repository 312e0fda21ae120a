import { type CacheStore, createMemoryCacheStore } from '@pk/config/cache';
import { answerJsonOf, type ProviderAnswer, rememberAnswerJson } from '@pk/providers';
import { describe, expect, it } from 'vitest';
import { createAnswerCache } from './answer-cache.js';

const answerOf = (body: object): ProviderAnswer => ({
  kind: 'json',
  provider: 'openai',
  status: 200,
  body,
  usage: undefined,
  warnings: [],
  headers: { 'content-type': 'application/json', 'x-portkey-provider': 'openai' },
});

describe('answer cache entries', () => {
  it("stores an answer's upstream text as it came and serves a hit as that text", async () => {
    const store = createMemoryCacheStore<string>();
    const cache = createAnswerCache(store, () => {});
    const text = '{"id":"c1",  "model":"gpt-4o","choices":[],"usage":{"total_tokens":3}}';
    const body = JSON.parse(text);
    rememberAnswerJson(body, text);
    await cache.put('k', answerOf(body), 60, 'config.targets[1]');
    expect(await store.get('k')).toBe(`{"provider":"openai","path":"config.targets[1]","body":${text}}`);
    const found = await cache.get('k');
    expect(found?.path).toBe('config.targets[1]');
    expect(found?.answer.kind === 'json' && found.answer.body).toEqual(body);
    expect(found?.answer.kind === 'json' && answerJsonOf(found.answer.body)).toBe(text);
  });

  it('serialises an answer without text, and reads entries of the older layout (body not last)', async () => {
    const store = createMemoryCacheStore<string>();
    const cache = createAnswerCache(store, () => {});
    await cache.put('k', answerOf({ id: 'c2' }), 60);
    expect(await store.get('k')).toBe('{"provider":"openai","body":{"id":"c2"}}');
    await store.put('old', '{"provider":"openai","body":{"id":"c3"},"path":"config.targets[0]"}', 60);
    const found = await cache.get('old');
    expect(found?.path).toBe('config.targets[0]');
    expect(found?.answer.kind === 'json' && found.answer.body).toEqual({ id: 'c3' });
    // Its text is not known: the route serialises it again rather than send a wrong slice.
    expect(found?.answer.kind === 'json' && answerJsonOf(found.answer.body)).toBeUndefined();
  });

  it('parses an entry once while the store hands back the same text, and again once it changes', async () => {
    // A store whose entries the test can take away (as expiry or eviction would).
    const entries = new Map<string, string>();
    const store: CacheStore<string> = {
      get: async (key) => entries.get(key),
      put: async (key, value) => {
        entries.set(key, value);
      },
    };
    const cache = createAnswerCache(store, () => {});
    await cache.put('k', answerOf({ id: 'c4' }), 60);
    const first = await cache.get('k');
    const second = await createAnswerCache(store, () => {}).get('k');
    // The same parsed body (never changed in place), in a fresh answer per hit.
    expect(second?.answer.kind === 'json' && second.answer.body).toBe(
      first?.answer.kind === 'json' && first.answer.body,
    );
    expect(second?.answer).not.toBe(first?.answer);
    expect(second?.answer.kind === 'json' && answerJsonOf(second.answer.body)).toBe('{"id":"c4"}');

    // Rewritten under the same key (a refresh, another replica): the new text is what is served.
    await store.put('k', '{"provider":"groq","body":{"id":"c5"}}', 60);
    const third = await cache.get('k');
    expect(third?.answer.kind === 'json' && third.answer.body).toEqual({ id: 'c5' });
    expect(third?.answer.kind === 'json' && third.answer.provider).toBe('groq');

    // Gone from the store (expired, evicted): a miss, whatever was parsed before.
    entries.delete('k');
    expect(await cache.get('k')).toBeUndefined();
  });

  it('reads an entry that is not one (cut, another shape) as a miss, and with an endpoint one it would not store', async () => {
    const store = createMemoryCacheStore<string>();
    const cache = createAnswerCache(store, () => {}, 'chat.completions');
    for (const text of [
      'null',
      '42',
      '"text"',
      '[]',
      '{}',
      '{"provider":"openai"}',
      '{"provider":"openai","body":"text"}',
      '{"provider":"openai","body":[]}',
      '{"provider":7,"body":{}}',
      '{"provider":"openai","path":1,"body":{}}',
      '{"provider":"openai","body":{"id":"x","choices":[',
      '{"provider":"openai","body":{"error":{"message":"overloaded"}}}',
    ]) {
      await store.put('k', text, 60);
      expect(await cache.get('k'), text).toBeUndefined();
    }
  });
});
