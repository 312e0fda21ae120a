import { type CacheStore, isCacheableAnswerBody } from '@pk/config/cache';
import { answerJsonOf, type ProviderAnswer, rememberAnswerJson } from '@pk/providers';
import { LRUCache } from 'lru-cache';

/** What a cache entry holds: a complete, 2xx OpenAI JSON answer, the provider and target path that gave it. */
interface StoredAnswer {
  readonly provider: string;
  readonly body: object;
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
  /** The entry text `put` would store for an answer, or `undefined` when it is not stored (not JSON 2xx). */
  entryOf(answer: ProviderAnswer, path?: string): string | undefined;
  /** Stores an entry text made by `entryOf`. */
  write(key: string, entry: string, ttlSeconds: number): Promise<void>;
  /** The answer an entry text of `key` holds, as a hit gives it (without asking the store). */
  answerOf(key: string, entry: string): FoundAnswer | undefined;
}

/** An entry as parsed from its text, with the text it was parsed from. */
interface ParsedEntry {
  readonly text: string;
  readonly stored: StoredAnswer;
}

/** Bounds of the parsed entries kept per store: their texts' length in all, and per entry. */
const PARSED_ENTRIES_MAX_CHARS = 2 * 1024 * 1024;
const PARSED_ENTRY_MAX_CHARS = 256 * 1024;

/**
 * The entries of recent hits as parsed, per store. Parsing a ~640-byte entry was about a tenth of a
 * hit's CPU: a hit whose store hands back the same text as the last hit of that key reuses the
 * parse. The store stays the authority (its answer, expiry and eviction decide every hit); the text
 * is compared whole, so an entry rewritten by another replica is parsed again. The parsed body is
 * shared by the hits that use it: like every body in pk it is never changed in place.
 */
const parsedEntriesOfStore = new WeakMap<CacheStore<string>, LRUCache<string, ParsedEntry>>();

function parsedEntriesOf(store: CacheStore<string>): LRUCache<string, ParsedEntry> {
  let entries = parsedEntriesOfStore.get(store);
  if (entries === undefined) {
    entries = new LRUCache<string, ParsedEntry>({
      maxSize: PARSED_ENTRIES_MAX_CHARS,
      maxEntrySize: PARSED_ENTRY_MAX_CHARS,
      sizeCalculation: (entry, key) => entry.text.length + key.length,
    });
    parsedEntriesOfStore.set(store, entries);
  }
  return entries;
}

/**
 * Whether a parsed entry has the shape `entryOf` writes: an object whose `provider` is a string,
 * whose `body` is an object, and whose `path`, when there is one, is a string. Anything else (an
 * entry cut short, written by hand or by another program under the prefix) is not an answer.
 */
function isStoredAnswer(value: unknown): value is StoredAnswer {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entry = value as { provider?: unknown; body?: unknown; path?: unknown };
  return (
    typeof entry.provider === 'string' &&
    typeof entry.body === 'object' &&
    entry.body !== null &&
    !Array.isArray(entry.body) &&
    (entry.path === undefined || typeof entry.path === 'string')
  );
}

/**
 * An entry's text parsed, its answer's JSON text remembered when the entry ends with it; `undefined`
 * for a text that is not an entry, or (with `endpoint`) whose answer the cache would not store.
 */
function parseEntry(text: string, endpoint: string | undefined): StoredAnswer | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isStoredAnswer(parsed)) return undefined;
  if (endpoint !== undefined && !isCacheableAnswerBody(endpoint, parsed.body)) return undefined;
  const stored = parsed;
  // Entries written by `put` end with the answer's JSON text: a hit is sent as that text.
  // (Older entries may have the body elsewhere: then it is serialised again, as before.)
  const bodyAt = text.indexOf(BODY_FIELD);
  if (bodyAt !== -1 && Object.keys(stored).at(-1) === 'body') {
    rememberAnswerJson(stored.body, text.slice(bodyAt + BODY_FIELD.length, -1));
  }
  return stored;
}

/**
 * Provider answers over a string store (memory or Redis): only JSON 2xx answers are stored (a stream
 * is stored by its drainer as the rebuilt completion), with the target path when a root cache stores
 * them; a hit comes back as a JSON answer, which the route replays as SSE when the request streams.
 * Store failures are reported to `onFailure` and turned into a miss (get) or ignored (put): never a
 * failed request. An entry that is not one (not JSON, cut, of another shape) is a miss too, and so,
 * with `endpoint`, is one whose answer {@link isCacheableAnswerBody} refuses (an error in a 200
 * stored by an older pk, say).
 */
export function createAnswerCache(
  store: CacheStore<string>,
  onFailure: StoreFailureListener,
  endpoint?: string,
): AnswerCache {
  const parsedEntries = parsedEntriesOf(store);
  const answerOf = (key: string, text: string): FoundAnswer | undefined => {
    const parsed = parsedEntries.get(key);
    let stored: StoredAnswer | undefined;
    if (parsed !== undefined && parsed.text === text) {
      stored = parsed.stored;
    } else {
      stored = parseEntry(text, endpoint);
      if (stored === undefined) return undefined;
      parsedEntries.set(key, { text, stored });
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
  };
  const entryOf = (answer: ProviderAnswer, path?: string): string | undefined => {
    if (answer.kind !== 'json' || answer.status < 200 || answer.status > 299) return undefined;
    // The answer last, as its own JSON text when it has one (no second serialisation).
    const head = JSON.stringify(
      path === undefined ? { provider: answer.provider } : { provider: answer.provider, path },
    );
    return `${head.slice(0, -1)}${BODY_FIELD}${answerJsonOf(answer.body) ?? JSON.stringify(answer.body)}}`;
  };
  const write = async (key: string, entry: string, ttlSeconds: number): Promise<void> => {
    try {
      await store.put(key, entry, ttlSeconds);
    } catch (error) {
      onFailure('put', error);
    }
  };
  return {
    async get(key, options) {
      let text: string | undefined;
      try {
        text = await store.get(key, options);
      } catch (error) {
        onFailure('get', error);
        return undefined;
      }
      return text === undefined ? undefined : answerOf(key, text);
    },
    async put(key, answer, ttlSeconds, path) {
      const entry = entryOf(answer, path);
      if (entry !== undefined) await write(key, entry, ttlSeconds);
    },
    entryOf,
    write,
    answerOf,
  };
}
