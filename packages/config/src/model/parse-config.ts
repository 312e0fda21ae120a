import { PkError } from '../errors/error-envelope.js';
import type { Config } from '../schema/target.js';
import { configSchema } from '../schema/target.js';
import { checkConfig } from './config-checks.js';
import type { ConfigIssue, ParseConfigResult } from './config-result.js';
import { collectConfigWarnings, resetOutOfRangeMaxAge } from './config-warnings.js';
import { normalizeConfigKeys } from './normalize-keys.js';
import { toConfigIssues } from './zod-issues.js';

/** Options of {@link parseConfig}. */
export interface ParseConfigOptions {
  /**
   * Hosts whose `custom_host` skips the host checks (the operator's `TRUSTED_CUSTOM_HOSTS`).
   * Default: Portkey's `localhost`, `127.0.0.1`, `::1`, `host.docker.internal`, `*.localhost`.
   */
  readonly trustedCustomHosts?: readonly string[] | undefined;
}

/** Deepest JSON nesting accepted anywhere in a config (10 target levels need about 45). */
const MAX_JSON_DEPTH = 100;

/** True when `value` nests objects/arrays deeper than `limit` (iterative: hostile input cannot overflow the stack). */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (item.value === null || typeof item.value !== 'object') continue;
    if (item.depth >= limit) return true;
    for (const child of Object.values(item.value)) stack.push({ value: child, depth: item.depth + 1 });
  }
  return false;
}

function decodeInput(input: unknown): { value: unknown } | { issue: ConfigIssue } {
  if (typeof input !== 'string') return { value: input };
  try {
    return { value: JSON.parse(input) as unknown };
  } catch {
    const expectation =
      'expected a config object or its JSON text (a saved config id must be looked up first)';
    return { issue: { path: 'config', message: `config: ${expectation}, got text that is not JSON` } };
  }
}

/**
 * Validates a Portkey config from any source (the `x-portkey-config` header's JSON, an SDK option, a
 * saved config): camelCase keys become snake_case, unknown keys are dropped with warnings, values
 * are checked against the schema, then cross-field rules and custom hosts. Pure; never throws.
 * Every issue names its JSON path and what was expected:
 * `config.targets[0].retry.attempts: expected an integer of at least 0, got -1`.
 */
export function parseConfig(input: unknown, options: ParseConfigOptions = {}): ParseConfigResult {
  const decoded = decodeInput(input);
  if ('issue' in decoded) return { ok: false, issues: [decoded.issue], warnings: [] };
  if (nestsDeeperThan(decoded.value, MAX_JSON_DEPTH)) {
    const message = `config: expected JSON nested at most ${MAX_JSON_DEPTH} levels deep, got deeper nesting`;
    return { ok: false, issues: [{ path: 'config', message }], warnings: [] };
  }
  const normalized = normalizeConfigKeys(decoded.value);
  const parsed = configSchema.safeParse(normalized.value, { reportInput: true });
  const issues = [...normalized.issues];
  if (!parsed.success) issues.push(...toConfigIssues(parsed.error.issues, normalized.spellings));
  if (issues.length > 0 || !parsed.success) return { ok: false, issues, warnings: normalized.warnings };

  const config = parsed.data;
  const crossFieldIssues = checkConfig(config, {
    trustedCustomHosts: options.trustedCustomHosts,
    spellings: normalized.spellings,
  });
  const warnings = [
    ...normalized.warnings,
    ...collectConfigWarnings(config, { spellings: normalized.spellings }),
  ];
  if (crossFieldIssues.length > 0) return { ok: false, issues: crossFieldIssues, warnings };
  resetOutOfRangeMaxAge(config);
  return { ok: true, config, warnings };
}

/**
 * {@link parseConfig} that returns the config or throws `PkError('PK_ERR_INVALID_CONFIG')` (HTTP 400)
 * whose message lists every issue, separated by `; `, after a count.
 */
export function parseConfigOrThrow(input: unknown, options: ParseConfigOptions = {}): Config {
  const result = parseConfig(input, options);
  if (result.ok) return result.config;
  const count = result.issues.length;
  const summary = `Invalid config (${count} ${count === 1 ? 'problem' : 'problems'})`;
  const message = `${summary}: ${result.issues.map((issue) => issue.message).join('; ')}`;
  throw new PkError('PK_ERR_INVALID_CONFIG', message, { param: result.issues[0]?.path ?? null });
}
