import type { ConfigWarning, ResolvedPlan } from '../plan/plan.js';
import type { Config } from '../schema/target.js';
import type { ConfigIssue } from './config-result.js';
import type { HeaderOverrides } from './header-overrides.js';
import { type ParseConfigOptions, parseConfig } from './parse-config.js';
import { resolveConfig } from './resolve-config.js';

/** What {@link parseAndResolveConfig} returns. */
export type ParseAndResolveResult =
  | { readonly ok: true; readonly config: Config; readonly plan: ResolvedPlan }
  | {
      readonly ok: false;
      readonly issues: readonly ConfigIssue[];
      readonly warnings: readonly ConfigWarning[];
    };

/**
 * `parseConfig` then `resolveConfig`, keeping every parse warning (unknown keys included) in
 * `plan.warnings`: what the gateway and the SDK's in-process mode call per request.
 */
export function parseAndResolveConfig(
  input: unknown,
  headerOverrides: HeaderOverrides = {},
  options: ParseConfigOptions = {},
): ParseAndResolveResult {
  const parsed = parseConfig(input, options);
  if (!parsed.ok) return parsed;
  return {
    ok: true,
    config: parsed.config,
    plan: resolveConfig(parsed.config, headerOverrides, { warnings: parsed.warnings }),
  };
}
