import { type ParseConfigResult, parseConfig } from '@pk/config';
import { LRUCache } from 'lru-cache';

/** How many distinct config texts are kept parsed (each entry is one validated config). */
const DEFAULT_MAX_ENTRIES = 2000;

/**
 * Parsed and validated configs, keyed by the exact `x-portkey-config` text: clients send the same
 * config on every request, so zod validation runs once per distinct text, not once per request.
 * Bounded (LRU) so hostile clients sending endless distinct configs cannot grow memory.
 */
export class ConfigParseCache {
  readonly #entries: LRUCache<string, ParseConfigResult>;
  readonly #trustedCustomHosts: readonly string[];

  constructor(options: { trustedCustomHosts: readonly string[]; maxEntries?: number }) {
    this.#entries = new LRUCache({ max: options.maxEntries ?? DEFAULT_MAX_ENTRIES });
    this.#trustedCustomHosts = options.trustedCustomHosts;
  }

  /** The result of `parseConfig(input)`, reused for the same `text`. */
  parse(text: string, input: unknown): ParseConfigResult {
    const cached = this.#entries.get(text);
    if (cached !== undefined) return cached;
    const result = parseConfig(input, { trustedCustomHosts: this.#trustedCustomHosts });
    this.#entries.set(text, result);
    return result;
  }

  /** Entries held now. */
  get size(): number {
    return this.#entries.size;
  }
}
