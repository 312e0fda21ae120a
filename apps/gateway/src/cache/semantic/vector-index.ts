/** One stored vector: which exact cache key it points to, in which scope. */
export interface IndexedVector {
  readonly scope: string;
  readonly key: string;
  /** Unit length (normalised on insert), so the dot product is the cosine. */
  readonly vector: Float32Array;
}

/** The best match of a search. */
export interface VectorMatch {
  readonly key: string;
  readonly similarity: number;
}

/** Scales a vector to unit length (a zero vector stays zero). */
export function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let index = 0; index < vector.length; index += 1) sum += (vector[index] ?? 0) ** 2;
  const length = Math.sqrt(sum);
  if (length === 0) return vector;
  const unit = new Float32Array(vector.length);
  for (let index = 0; index < vector.length; index += 1) unit[index] = (vector[index] ?? 0) / length;
  return unit;
}

function dot(left: Float32Array, right: Float32Array): number {
  if (left.length !== right.length) return -1;
  let sum = 0;
  for (let index = 0; index < left.length; index += 1) sum += (left[index] ?? 0) * (right[index] ?? 0);
  return sum;
}

/**
 * The semantic cache's in-process index: a plain scan over unit `Float32Array`s, partitioned by
 * scope (a search only ever looks inside its own scope), bounded in entries (oldest dropped first).
 * A scan is fast enough for tens of thousands of entries per scope; measure before reaching for ANN.
 */
export class VectorIndex {
  readonly #byScope = new Map<string, IndexedVector[]>();
  readonly #order: IndexedVector[] = [];
  readonly #maxEntries: number;

  constructor(options: { maxEntries?: number } = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  /** Entries held. */
  get size(): number {
    return this.#order.length;
  }

  /** Adds a vector (normalised here); drops the oldest entries beyond the bound. */
  add(entry: IndexedVector): void {
    const stored = { ...entry, vector: normalize(entry.vector) };
    const list = this.#byScope.get(entry.scope) ?? [];
    list.push(stored);
    this.#byScope.set(entry.scope, list);
    this.#order.push(stored);
    while (this.#order.length > this.#maxEntries) {
      const oldest = this.#order.shift();
      if (!oldest) break;
      const scoped = this.#byScope.get(oldest.scope);
      const position = scoped?.indexOf(oldest) ?? -1;
      if (scoped && position !== -1) scoped.splice(position, 1);
      if (scoped?.length === 0) this.#byScope.delete(oldest.scope);
    }
  }

  /** The most similar entry of `scope` (cosine), or `undefined` when the scope is empty. */
  search(scope: string, vector: Float32Array): VectorMatch | undefined {
    const unit = normalize(vector);
    let best: VectorMatch | undefined;
    for (const entry of this.#byScope.get(scope) ?? []) {
      const similarity = dot(unit, entry.vector);
      if (best === undefined || similarity > best.similarity) best = { key: entry.key, similarity };
    }
    return best;
  }
}
