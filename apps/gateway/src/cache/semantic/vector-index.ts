/** One stored vector: which exact cache key it points to, in which scope, for which tenant. */
export interface IndexedVector {
  /** The tenant (gateway key) whose request stored it: the index's bound is shared fairly between tenants. */
  readonly tenant: string;
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
 * scope (a search only ever looks inside its own scope), bounded in entries. The bound is shared
 * fairly between tenants: when full, the tenant holding the most entries loses its oldest one (the
 * tenant adding, when it is among the largest), so a busy tenant recycles its own entries and a
 * tenant below its fair share (`maxEntries` / tenants holding entries) keeps all of its own.
 * A scan is fast enough for tens of thousands of entries per scope; measure before reaching for ANN.
 */
export class VectorIndex {
  readonly #byScope = new Map<string, IndexedVector[]>();
  /** Each tenant's entries, oldest first. */
  readonly #byTenant = new Map<string, IndexedVector[]>();
  /** Tenants by how many entries they hold (count → tenants): the largest is found in O(1). */
  readonly #tenantsByCount = new Map<number, Set<string>>();
  #largest = 0;
  #size = 0;
  readonly #maxEntries: number;

  constructor(options: { maxEntries?: number } = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  /** Entries held. */
  get size(): number {
    return this.#size;
  }

  /** Entries held for `tenant`. */
  sizeOf(tenant: string): number {
    return this.#byTenant.get(tenant)?.length ?? 0;
  }

  /** Adds a vector (normalised here); beyond the bound, drops the largest tenant's oldest entry. */
  add(entry: IndexedVector): void {
    const stored = { ...entry, vector: normalize(entry.vector) };
    const scoped = this.#byScope.get(stored.scope);
    if (scoped) scoped.push(stored);
    else this.#byScope.set(stored.scope, [stored]);
    let own = this.#byTenant.get(stored.tenant);
    if (!own) {
      own = [];
      this.#byTenant.set(stored.tenant, own);
    }
    own.push(stored);
    this.#moveTenant(stored.tenant, own.length - 1, own.length);
    this.#size += 1;
    while (this.#size > this.#maxEntries) {
      const largest = this.#tenantsByCount.get(this.#largest);
      const victim = largest?.has(stored.tenant) === true ? stored.tenant : largest?.values().next().value;
      if (victim === undefined || !this.#evictOldest(victim)) break;
    }
  }

  /**
   * The most similar entry of `scope` (cosine), or `undefined` when the scope is empty or no entry
   * has a finite similarity to `vector`.
   */
  search(scope: string, vector: Float32Array): VectorMatch | undefined {
    const unit = normalize(vector);
    let best: VectorMatch | undefined;
    for (const entry of this.#byScope.get(scope) ?? []) {
      const similarity = dot(unit, entry.vector);
      // A vector holding NaN or an infinity (a broken embedding, a corrupt log entry) matches nothing:
      // a NaN similarity compares false with everything, so it would pass a `< threshold` test.
      if (!Number.isFinite(similarity)) continue;
      if (best === undefined || similarity > best.similarity) best = { key: entry.key, similarity };
    }
    return best;
  }

  /** Drops `tenant`'s oldest entry; false when it holds none. */
  #evictOldest(tenant: string): boolean {
    const own = this.#byTenant.get(tenant);
    const oldest = own?.shift();
    if (!own || !oldest) return false;
    this.#moveTenant(tenant, own.length + 1, own.length);
    if (own.length === 0) this.#byTenant.delete(tenant);
    const scoped = this.#byScope.get(oldest.scope);
    const position = scoped?.indexOf(oldest) ?? -1;
    if (scoped && position !== -1) scoped.splice(position, 1);
    if (scoped?.length === 0) this.#byScope.delete(oldest.scope);
    this.#size -= 1;
    return true;
  }

  /** Moves `tenant` from the tenants holding `from` entries to those holding `to` (±1). */
  #moveTenant(tenant: string, from: number, to: number): void {
    const before = this.#tenantsByCount.get(from);
    before?.delete(tenant);
    if (before?.size === 0) this.#tenantsByCount.delete(from);
    if (to > 0) {
      const after = this.#tenantsByCount.get(to);
      if (after) after.add(tenant);
      else this.#tenantsByCount.set(to, new Set([tenant]));
    }
    if (to > this.#largest) this.#largest = to;
    else if (from === this.#largest && !this.#tenantsByCount.has(from)) this.#largest = to;
  }
}
