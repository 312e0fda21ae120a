import type { CacheStore } from '@pk/config/cache';
import { answerJsonOf, type ProviderAnswer, rememberAnswerJson } from '@pk/providers';

/** What a cache entry holds: a complete, 2xx OpenAI JSON answer, the provider and target path that gave it. */
interface StoredAnswer {
  readonly provider: string;
  readonly body: unknown;
  /** The answering target's JSON path, for entries of a root cache (reported again on a hit). */
  readonly path?: string;
}

/** The last field of an entry: what follows it, but for the closing brace, is the answer's JSON text. */
const BODY_FIELD = ',"body":';

/** A cached answer as the engine gets it back, with the target path it was stored with (if any). */
export interface FoundAnswer {
  readonly answer: ProviderAnswer;
  readonly path: string | undefined;
}

/** Reports a store failure once per request (for `x-pk-cache-error`) and to the rate-limited warning. */
export type StoreFailureListener = (operation: 'get' | 'put', error: unknown) => void;

/** Reads and writes provider answers in a store of serialised answers. */
export interface AnswerCache {
  get(key: string, options?: { signal?: AbortSignal }): Promise<FoundAnswer | undefined>;
  put(key: string, answer: ProviderAnswer, ttlSeconds: number, path?: string): Promise<void>;
}

/**
 * Provider answers over a string store (memory or Redis): only JSON 2xx answers are stored (a stream
 * is stored by its drainer as the rebuilt completion), with the target path when a root cache stores
 * them; a hit comes back as a JSON answer, which the route replays as SSE when the request streams.
 * Store failures are reported to `onFailure` and turned into a miss (get) or ignored (put): never a
 * failed request.
 */
export function createAnswerCache(store: CacheStore<string>, onFailure: StoreFailureListener): AnswerCache {
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
      // Entries written by `put` end with the answer's JSON text: a hit is sent as that text.
      // (Older entries may have the body elsewhere: then it is serialised again, as before.)
      const bodyAt = text.indexOf(BODY_FIELD);
      if (
        bodyAt !== -1 &&
        typeof stored.body === 'object' &&
        stored.body !== null &&
        Object.keys(stored).at(-1) === 'body'
      ) {
        rememberAnswerJson(stored.body, text.slice(bodyAt + BODY_FIELD.length, -1));
      }
      return {
        answer: {
          kind: 'json',
          provider: stored.provider,
          status: 200,
          body: stored.body,
          usage: undefined,
          warnings: [],
          headers: { 'content-type': 'application/json', 'x-portkey-provider': stored.provider },
        },
        path: stored.path,
      };
    },
    async put(key, answer, ttlSeconds, path) {
      if (answer.kind !== 'json' || answer.status < 200 || answer.status > 299) return;
      // The answer last, as its own JSON text when it has one (no second serialisation).
      const head = JSON.stringify(
        path === undefined ? { provider: answer.provider } : { provider: answer.provider, path },
      );
      const entry = `${head.slice(0, -1)}${BODY_FIELD}${answerJsonOf(answer.body) ?? JSON.stringify(answer.body)}}`;
      try {
        await store.put(key, entry, ttlSeconds);
      } catch (error) {
        onFailure('put', error);
      }
    },
  };
}
