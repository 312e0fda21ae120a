import type { Embedder } from './embedder.js';
import { VectorIndex } from './vector-index.js';
import type { VectorLog } from './vector-log.js';

/** The semantic cache's process-wide parts: the index, the embedder and the optional shared log. */
export interface SemanticCache {
  readonly index: VectorIndex;
  readonly embed: Embedder;
  /** Set with Redis: vectors stored here reach the other replicas. */
  log?: VectorLog;
}

/** Creates the in-process semantic cache (the Redis log is attached by the server when configured). */
export function createSemanticCache(options: { embed: Embedder; maxEntries: number }): SemanticCache {
  return { index: new VectorIndex({ maxEntries: options.maxEntries }), embed: options.embed };
}
