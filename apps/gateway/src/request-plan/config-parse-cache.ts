import { type Config, type ConfigIssue, type ParseConfigResult, parseConfig } from '@pk/config';
import { LRUCache } from 'lru-cache';

/** How many distinct config texts are kept parsed (each entry is one validated config). */
const DEFAULT_MAX_ENTRIES = 2000;

/** Further problems of a valid config (its hooks: regexes, schemas, guardrail ids), with paths. */
export type ConfigValidator = (config: Config) => readonly ConfigIssue[];

/**
 * Parsed and validated configs, keyed by the exact `x-portkey-config` text: clients send the same
 * config on every request, so zod validation runs once per distinct text, not once per request.
 * Bounded (LRU) so hostile clients sending endless distinct configs cannot grow memory.
 */
export class ConfigParseCache {
  readonly #entries: LRUCache<string, ParseConfigResult>;
  readonly #trustedCustomHosts: readonly string[];
  readonly #validate: ConfigValidator | undefined;
  #generation = 0;

  constructor(options: {
    trustedCustomHosts: readonly string[];
    maxEntries?: number;
    /** Runs after parsing, once per distinct text too (the guardrails' checks of the hooks). */
    validate?: ConfigValidator;
  }) {
    this.#entries = new LRUCache({ max: options.maxEntries ?? DEFAULT_MAX_ENTRIES });
    this.#trustedCustomHosts = options.trustedCustomHosts;
    this.#validate = options.validate;
  }

  /** The result of `parseConfig(input)` (and the validator), reused for the same `text`. */
  parse(text: string, input: unknown): ParseConfigResult {
    const cached = this.#entries.get(text);
    if (cached !== undefined) return cached;
    let result = parseConfig(input, { trustedCustomHosts: this.#trustedCustomHosts });
    if (result.ok && this.#validate !== undefined) {
      const issues = this.#validate(result.config).map((issue) => ({
        path: issue.path,
        message: `${issue.path}: ${issue.message}`,
      }));
      if (issues.length > 0) result = { ok: false, issues, warnings: result.warnings };
    }
    this.#entries.set(text, result);
    return result;
  }

  /** Forgets every result (the guardrails configs may name changed: a verdict may differ now). */
  clear(): void {
    this.#entries.clear();
    this.#generation += 1;
  }

  /** Counts {@link clear} calls: what was derived from an older generation's results is stale. */
  get generation(): number {
    return this.#generation;
  }

  /** Entries held now. */
  get size(): number {
    return this.#entries.size;
  }
}
