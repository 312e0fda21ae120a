// The cache port and the in-memory store (shared by the gateway and the SDK's in-process mode).
export { byteSizeOf } from './byte-size.js';
export type { CacheGetOptions, CacheStore } from './cache-store.js';
export { cacheTtlMilliseconds } from './cache-ttl.js';
export { isCacheableAnswerBody, isCutShort } from './cacheable-answer.js';
export {
  createMemoryCacheStore,
  DEFAULT_CACHE_MAX_BYTES,
  type MemoryCacheStore,
  type MemoryCacheStoreOptions,
} from './memory-cache-store.js';
