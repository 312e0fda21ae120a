import type { ConfigWarning } from '../plan/plan.js';
import { cacheSchema } from '../schema/cache.js';
import { circuitBreakerSchema } from '../schema/circuit-breaker.js';
import { retryBackoffSchema, retrySchema } from '../schema/retry.js';
import { conditionSchema, strategySchema } from '../schema/strategy.js';
import { configSchema, MAX_TARGET_DEPTH, rootOnlyFields, targetSchema } from '../schema/target.js';
import { formatConfigPath, type PathSegment } from './config-path.js';
import type { ConfigIssue } from './config-result.js';
import { camelToSnake, closestKey } from './key-spelling.js';

/** Which keys an object of the config knows, and which of them are objects or arrays to descend into. */
interface KeySpec {
  readonly keys: ReadonlySet<string>;
  readonly objects?: Readonly<Record<string, KeySpec>>;
  readonly arrays?: Readonly<Record<string, KeySpec>>;
}

const spec = (shape: object, children: Omit<KeySpec, 'keys'> = {}): KeySpec => ({
  keys: new Set(Object.keys(shape)),
  ...children,
});

const cbSpec = spec(circuitBreakerSchema.shape);
const strategySpec = spec(strategySchema.shape, {
  objects: { cb_config: cbSpec },
  arrays: { conditions: spec(conditionSchema.shape) },
});
const nodeChildren = {
  strategy: strategySpec,
  retry: spec(retrySchema.shape, { objects: { backoff: spec(retryBackoffSchema.shape) } }),
  cache: spec(cacheSchema.shape),
  cb_config: cbSpec,
};
const targetKeys = new Set(Object.keys(targetSchema.shape));
const targetSpec: KeySpec = { keys: targetKeys, objects: nodeChildren };
const rootSpec: KeySpec = { keys: new Set(Object.keys(configSchema.shape)), objects: nodeChildren };
const rootOnlyKeys: ReadonlySet<string> = new Set(Object.keys(rootOnlyFields));

/** The input with canonical snake_case keys, unknown keys removed, and what was found on the way. */
export interface NormalizedKeys {
  readonly value: unknown;
  readonly issues: ConfigIssue[];
  readonly warnings: ConfigWarning[];
  /** Formatted normalised path of a renamed key → the spelling the user wrote. */
  readonly spellings: Map<string, string>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

class KeyNormalizer {
  readonly issues: ConfigIssue[] = [];
  readonly warnings: ConfigWarning[] = [];
  readonly spellings = new Map<string, string>();

  /** `shown` is the path as the user wrote it; `canonical` the snake_case path. */
  object(
    value: unknown,
    keySpec: KeySpec,
    shown: PathSegment[],
    canonical: PathSegment[],
    depth: number,
  ): unknown {
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = {};
    const writtenAs = new Map<string, string>();
    for (const [key, child] of Object.entries(value)) {
      const snake = keySpec.keys.has(key) ? key : camelToSnake(key);
      const shownPath = [...shown, key];
      if (!keySpec.keys.has(snake)) {
        this.unknownKey(key, keySpec, shownPath, depth);
        continue;
      }
      const earlier = writtenAs.get(snake);
      if (earlier !== undefined) {
        const path = formatConfigPath(shownPath);
        const message = `${path}: expected one spelling of "${snake}", got both "${earlier}" and "${key}"`;
        this.issues.push({ path, message });
        continue;
      }
      writtenAs.set(snake, key);
      const canonicalPath = [...canonical, snake];
      if (snake !== key) this.spellings.set(formatConfigPath(canonicalPath), key);
      const normalized = this.child(snake, child, keySpec, shownPath, canonicalPath, depth);
      if (normalized !== undefined) out[snake] = normalized;
    }
    return out;
  }

  private child(
    key: string,
    value: unknown,
    keySpec: KeySpec,
    shown: PathSegment[],
    canonical: PathSegment[],
    depth: number,
  ): unknown {
    const objectSpec = keySpec.objects?.[key];
    if (objectSpec !== undefined) return this.object(value, objectSpec, shown, canonical, depth);
    if (keySpec === targetSpec || keySpec === rootSpec) {
      if (key === 'targets' && Array.isArray(value)) return this.targets(value, shown, canonical, depth + 1);
    }
    const itemSpec = keySpec.arrays?.[key];
    if (itemSpec !== undefined && Array.isArray(value)) {
      return value.map((item, index) =>
        this.object(item, itemSpec, [...shown, index], [...canonical, index], depth),
      );
    }
    return value;
  }

  private targets(value: unknown[], shown: PathSegment[], canonical: PathSegment[], depth: number): unknown {
    if (depth > MAX_TARGET_DEPTH) {
      const path = formatConfigPath(shown);
      const message = `${path}: expected targets nested at most ${MAX_TARGET_DEPTH} levels deep, got targets at level ${depth}`;
      this.issues.push({ path, message });
      return undefined;
    }
    return value.map((item, index) =>
      this.object(item, targetSpec, [...shown, index], [...canonical, index], depth),
    );
  }

  private unknownKey(key: string, keySpec: KeySpec, shownPath: PathSegment[], depth: number): void {
    const path = formatConfigPath(shownPath);
    const snake = camelToSnake(key);
    let message: string;
    if (keySpec === targetSpec && rootOnlyKeys.has(snake) && depth > 0) {
      message = `${path}: "${key}" is only read at the root of a config; dropped`;
    } else {
      const suggestion = closestKey(key, keySpec.keys);
      message = `${path}: unknown key "${key}" dropped${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}`;
    }
    this.warnings.push({ path, message });
  }
}

/**
 * First step of `parseConfig` (behaviour reference §3.4): maps camelCase keys to snake_case in every
 * object the schema knows (never inside `override_params`, queries, hooks, guardrails or
 * `vertex_service_account_json`), reports a key given in both spellings, drops unknown keys with a
 * warning, and stops at `targets` nested deeper than 10 levels.
 */
export function normalizeConfigKeys(input: unknown): NormalizedKeys {
  const normalizer = new KeyNormalizer();
  const value = normalizer.object(input, rootSpec, [], [], 0);
  return { value, issues: normalizer.issues, warnings: normalizer.warnings, spellings: normalizer.spellings };
}
