import type { CacheStore } from '@pk/config/cache';
import type { ProviderAnswer } from '@pk/providers';

/** What a cache entry holds: a complete, 2xx OpenAI JSON answer and the provider that gave it. */
interface StoredAnswer {
  readonly provider: string;
  readonly body: unknown;
}

/** Reports a store failure once per request (for `x-pk-cache-error`) and to the rate-limited warning. */
export type StoreFailureListener = (operation: 'get' | 'put', error: unknown) => void;

/**
 * The engine's cache store for provider answers, over a string store (memory or Redis): only JSON
 * answers are stored (a stream is stored by its drainer as the rebuilt completion); a hit comes back
 * as a JSON answer, which the route replays as SSE when the request streams. Store failures are
 * reported to `onFailure` and turned into a miss (get) or ignored (put): never a failed request.
 */
export function createAnswerCache(
  store: CacheStore<string>,
  onFailure: StoreFailureListener,
): CacheStore<ProviderAnswer> {
  return {
    async get(key, options) {
      let text: string | undefined;
      try {
        text = await store.get(key, options);
      } catch (error) {
        onFailure('get', error);
        return undefined;
      }
      if (text === undefined) return undefined;
      let stored: StoredAnswer;
      try {
        stored = JSON.parse(text) as StoredAnswer;
      } catch {
        return undefined;
      }
      return {
        kind: 'json',
        provider: stored.provider,
        status: 200,
        body: stored.body,
        usage: undefined,
        warnings: [],
        headers: { 'content-type': 'application/json', 'x-portkey-provider': stored.provider },
      };
    },
    async put(key, answer, ttlSeconds) {
      if (answer.kind !== 'json' || answer.status < 200 || answer.status > 299) return;
      try {
        await store.put(
          key,
          JSON.stringify({ provider: answer.provider, body: answer.body } satisfies StoredAnswer),
          ttlSeconds,
        );
      } catch (error) {
        onFailure('put', error);
      }
    },
  };
}
